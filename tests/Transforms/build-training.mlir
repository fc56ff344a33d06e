// RUN: nnc-opt %s -nnc-build-training | FileCheck %s

// One train_config becomes @m_train (loss, one nn.grad over the trainable
// parameters, SGD's update tagged nn.updates), @m_eval and @m_grad; the
// model is inlined into each.
func.func @m(%x: tensor<?x2xf32> {nn.input = "x"}, %k: tensor<2x1xf32> {nn.init = "glorot_uniform", nn.param = "dense.kernel"}, %b: tensor<1xf32> {nn.init = "zeros", nn.param = "dense.bias"}) -> tensor<?x1xf32> attributes {nn.model} {
  %0 = nn.matmul %x, %k : tensor<?x2xf32>, tensor<2x1xf32>
  %1 = nn.bias_add %0, %b : tensor<?x1xf32>, tensor<1xf32>
  return %1 : tensor<?x1xf32>
}
nn.train_config @m {batch_size = 32 : i64, epochs = 1 : i64, loss = "mse", metrics = [], optimizer = "sgd", optimizer_config = {learning_rate = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false}, validation_split = 0.000000e+00 : f64}

// CHECK-LABEL: func.func @m_train(
// CHECK-SAME: {nn.input = "x"}, %[[Y:.*]]: tensor<?x1xf32> {nn.target = "y_true"}, %[[K:.*]]: tensor<2x1xf32> {nn.param = "dense.kernel"}, %[[B:.*]]: tensor<1xf32> {nn.param = "dense.bias"}, %[[LR:.*]]: tensor<f32> {nn.hyper = "learning_rate"}, %{{.*}}: tensor<f32> {nn.hyper = "step"})
// CHECK-SAME: -> (tensor<2x1xf32> {nn.updates = 2 : i64}, tensor<1xf32> {nn.updates = 3 : i64}, tensor<f32> {nn.result = "loss"})
// CHECK-SAME: attributes {nn.entry = {kind = "train", model = "m"}}
// CHECK-NOT: func.call
// CHECK: %[[LOSS:.*]] = nn.mse
// CHECK: %[[G:.*]]:2 = nn.grad %[[K]], %[[B]]
// CHECK: nn.yield
// CHECK: %[[STEP:.*]] = nn.mul %[[LR]], %[[G]]#0
// CHECK: %[[NEWK:.*]] = nn.sub %[[K]], %[[STEP]]
// CHECK: return %[[NEWK]], %{{.*}}, %[[LOSS]]
// CHECK-LABEL: func.func @m_eval(
// CHECK-SAME: -> (tensor<f32> {nn.result = "loss"}) attributes {nn.entry = {kind = "eval", model = "m"}}
// CHECK-LABEL: func.func @m_grad(
// CHECK-SAME: {nn.result = "grad/dense.kernel"}, tensor<1xf32> {nn.result = "grad/dense.bias"}) attributes {nn.entry = {kind = "grad", model = "m"}}
