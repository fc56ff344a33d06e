// RUN: nnc-opt %s -split-input-file -nnc-expand-losses | FileCheck %s

// MSE is mean((p - t)^2) in nn arithmetic.
// CHECK-LABEL: func.func @mse
// CHECK-NOT: nn.mse
// CHECK: %[[D:.*]] = nn.sub %arg0, %arg1
// CHECK: %[[SQ:.*]] = nn.mul %[[D]], %[[D]]
// CHECK: nn.reduce_mean %[[SQ]]
func.func @mse(%p: tensor<?x3xf32>, %t: tensor<?x3xf32>) -> tensor<f32> {
  %0 = nn.mse %p, %t : tensor<?x3xf32>, tensor<?x3xf32>
  return %0 : tensor<f32>
}

// -----

// Softmax + categorical cross-entropy is computed on the logits, the max of
// the log-sum-exp behind a stop_gradient; no log of a probability remains.
// CHECK-LABEL: func.func @softmax_ce
// CHECK-NOT: nn.categorical_crossentropy
// CHECK: %[[M:.*]] = nn.reduce_max %arg0 axes = [-1] keepdims
// CHECK: %[[SG:.*]] = nn.stop_gradient %[[M]]
// CHECK: %[[E:.*]] = nn.exp
// CHECK: %[[S:.*]] = nn.reduce_sum %[[E]] axes = [-1] keepdims
// CHECK: %[[L:.*]] = nn.log %[[S]]
// CHECK: %[[LSE:.*]] = nn.add %[[SG]], %[[L]]
// CHECK: nn.sub %[[LSE]], %arg0
// CHECK: nn.reduce_mean
func.func @softmax_ce(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>) -> tensor<f32> {
  %p = nn.softmax %z : tensor<?x3xf32>
  %0 = nn.categorical_crossentropy %p, %t : tensor<?x3xf32>, tensor<?x3xf32>
  return %0 : tensor<f32>
}

// The sparse form: one-hot rows of the (batch, 1) class indices, built by
// comparison with the constant row [0, 1, 2] (1 - step(|t - j| - 0.5)),
// then the categorical cross-entropy on the logits.
// CHECK-LABEL: func.func @softmax_sparse_ce
// CHECK-NOT: nn.sparse_categorical_crossentropy
// CHECK: %[[ROW:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK: %[[D:.*]] = nn.sub %arg1, %[[ROW]] : tensor<?x1xf32>, tensor<3xf32>
// CHECK: %[[A:.*]] = nn.abs %[[D]] : tensor<?x3xf32>
// CHECK: %[[HALF:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[O:.*]] = nn.sub %[[A]], %[[HALF]]
// CHECK: %[[ST:.*]] = nn.step %[[O]]
// CHECK: %[[HOT:.*]] = nn.sub %{{.*}}, %[[ST]]
// CHECK: nn.reduce_max %arg0 axes = [-1] keepdims
// CHECK: nn.mul %[[HOT]]
// CHECK: nn.reduce_mean
func.func @softmax_sparse_ce(%z: tensor<?x3xf32>, %t: tensor<?x1xf32>) -> tensor<f32> {
  %p = nn.softmax %z : tensor<?x3xf32>
  %0 = nn.sparse_categorical_crossentropy %p, %t : tensor<?x3xf32>, tensor<?x1xf32>
  return %0 : tensor<f32>
}
