// RUN: nnc-opt %s -nnc-keep-artifact-functions | FileCheck %s

// What an artifact compiles: models and the train, eval and def entries,
// all private (the artifact exports wrappers). The gradcheck-only grad
// entry, loss functions and the train section go; the section's settings
// stay on the model for the manifest, the custom loss by name.
// CHECK-LABEL: func.func private @m(
// CHECK-SAME: nn.model, nn.train = {batch_size = 32 : i64, epochs = 1 : i64, loss = "@m_loss", metrics = [], optimizer = "sgd"
// CHECK-LABEL: func.func private @m_train(
// CHECK-LABEL: func.func private @m_def_g(
// CHECK-NOT: @m_grad
// CHECK-NOT: @m_loss
// CHECK-NOT: nn.train_config
func.func @m(%x: tensor<?x1xf32> {nn.input = "x"}) -> tensor<?x1xf32> attributes {nn.model} {
  return %x : tensor<?x1xf32>
}
func.func @m_train(%x: tensor<?x1xf32> {nn.input = "x"}) attributes {nn.entry = {kind = "train", model = "m"}} {
  return
}
func.func @m_grad(%x: tensor<?x1xf32> {nn.input = "x"}) attributes {nn.entry = {kind = "grad", model = "m"}} {
  return
}
func.func @m_def_g(%x: tensor<?x1xf32> {nn.input = "x"}) -> tensor<?x1xf32> attributes {nn.entry = {kind = "def", model = "m", name = "g"}} {
  return %x : tensor<?x1xf32>
}
func.func @m_loss(%x: tensor<?x1xf32> {nn.input = "x"}) -> tensor<?x1xf32> {
  return %x : tensor<?x1xf32>
}
nn.train_config @m {batch_size = 32 : i64, epochs = 1 : i64, loss = @m_loss, metrics = [], optimizer = "sgd", optimizer_config = {learning_rate = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false}, validation_split = 0.000000e+00 : f64}
