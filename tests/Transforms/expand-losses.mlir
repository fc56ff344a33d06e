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
