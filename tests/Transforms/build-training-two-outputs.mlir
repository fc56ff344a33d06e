// RUN: nnc-opt %s -nnc-build-training | FileCheck %s

// Two inputs and two outputs: one target per output (y_true_0, y_true_1),
// one loss per output, the loss their weighted sum; each output's own loss
// and metrics follow the total, in Keras' order.
func.func @m(%a: tensor<?x2xf32> {nn.input = "a"}, %b: tensor<?x3xf32> {nn.input = "b"}, %k0: tensor<2x1xf32> {nn.init = "zeros", nn.param = "k0"}, %k1: tensor<3x4xf32> {nn.init = "zeros", nn.param = "k1"}) -> (tensor<?x1xf32>, tensor<?x4xf32>) attributes {nn.model} {
  %0 = nn.matmul %a, %k0 : tensor<?x2xf32>, tensor<2x1xf32>
  %1 = nn.matmul %b, %k1 : tensor<?x3xf32>, tensor<3x4xf32>
  %2 = nn.softmax %1 {axis = -1 : i64} : tensor<?x4xf32>
  return %0, %2 : tensor<?x1xf32>, tensor<?x4xf32>
}
nn.train_config @m {batch_size = 32 : i64, epochs = 1 : i64, loss = ["mse", "sparse_categorical_crossentropy"], loss_weights = array<f64: 1.0, 5.000000e-01>, metrics = ["accuracy"], optimizer = "sgd", optimizer_config = {learning_rate = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false}, validation_split = 0.000000e+00 : f64}

// CHECK-LABEL: func.func @m_train(
// CHECK-SAME: {nn.input = "a"}, %{{.*}}: tensor<?x3xf32> {nn.input = "b"}, %{{.*}}: tensor<?x1xf32> {nn.target = "y_true_0"}, %{{.*}}: tensor<?x1xf32> {nn.target = "y_true_1"}, %{{.*}}: tensor<2x1xf32> {nn.param = "k0"}
// CHECK-SAME: tensor<f32> {nn.result = "loss"}, tensor<f32> {nn.result = "output_0_loss"}, tensor<f32> {nn.result = "output_0_accuracy"}, tensor<f32> {nn.result = "output_1_loss"}, tensor<f32> {nn.result = "output_1_accuracy"})
// CHECK: %[[L0:.*]] = nn.mse
// CHECK: %[[L1:.*]] = nn.sparse_categorical_crossentropy
// CHECK: %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[WL1:.*]] = nn.mul %[[W]], %[[L1]]
// CHECK: %[[LOSS:.*]] = nn.add %[[L0]], %[[WL1]]
// CHECK: return {{.*}}, %[[LOSS]], %[[L0]], %{{.*}}, %[[L1]], %{{.*}} :
// CHECK-LABEL: func.func @m_eval(
// CHECK-SAME: {nn.target = "y_true_0"}, %{{.*}}: tensor<?x1xf32> {nn.target = "y_true_1"}
// CHECK-SAME: -> (tensor<f32> {nn.result = "loss"}, tensor<f32> {nn.result = "output_0_loss"}, tensor<f32> {nn.result = "output_0_accuracy"}, tensor<f32> {nn.result = "output_1_loss"}, tensor<f32> {nn.result = "output_1_accuracy"})
