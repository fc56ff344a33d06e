// RUN: nnc-opt %s -nnc-resolve-dropout | FileCheck %s

// In a train step, nn.dropout becomes x times the step's mask (the mask
// keeps the layer's rate and seed); in any other function it is x itself.

// CHECK-LABEL: func.func @m_train
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x8xf32>
// CHECK-SAME: %[[STEP:[^:]*]]: tensor<f32> {nn.hyper = "step"}
// CHECK: %[[M:.*]] = nn.dropout_mask %[[X]], %[[STEP]] {rate = 2.500000e-01 : f64, seed = 7 : i64}
// CHECK: %[[Y:.*]] = nn.mul %[[X]], %[[M]]
// Inside a gradient's body too (it recomputes the forward pass).
// CHECK: nn.grad
// CHECK: nn.dropout_mask %{{.*}}, %[[STEP]] {rate = 2.500000e-01 : f64, seed = 7 : i64}
// CHECK-NOT: nn.dropout {{.*}}:
// CHECK: return %[[Y]]
func.func @m_train(%x: tensor<?x8xf32> {nn.input = "x"}, %lr: tensor<f32> {nn.hyper = "learning_rate"}, %step: tensor<f32> {nn.hyper = "step"}) -> (tensor<?x8xf32>, tensor<?x8xf32>) attributes {nn.entry = {kind = "train", model = "m"}} {
  %y = nn.dropout %x {rate = 0.25 : f64, seed = 7 : i64} : tensor<?x8xf32>
  %g = nn.grad %x : tensor<?x8xf32> {
  ^bb0(%a: tensor<?x8xf32>):
    %d = nn.dropout %a {rate = 0.25 : f64, seed = 7 : i64} : tensor<?x8xf32>
    %s = nn.reduce_sum %d : tensor<?x8xf32>
    nn.yield %s : tensor<f32>
  }
  return %y, %g : tensor<?x8xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @m_eval
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x8xf32>
// CHECK-NOT: nn.dropout
// CHECK: return %[[X]]
func.func @m_eval(%x: tensor<?x8xf32> {nn.input = "x"}) -> tensor<?x8xf32> attributes {nn.entry = {kind = "eval", model = "m"}} {
  %y = nn.dropout %x {rate = 0.25 : f64, seed = 7 : i64} : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// The gradient check's entry draws the masks of step 1.
// CHECK-LABEL: func.func @m_grad
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x8xf32>
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[M:.*]] = nn.dropout_mask %[[X]], %[[ONE]] {rate = 2.500000e-01 : f64, seed = 7 : i64}
// CHECK: %[[Y:.*]] = nn.mul %[[X]], %[[M]]
// CHECK: return %[[Y]]
func.func @m_grad(%x: tensor<?x8xf32> {nn.input = "x"}) -> tensor<?x8xf32> attributes {nn.entry = {kind = "grad", model = "m"}} {
  %y = nn.dropout %x {rate = 0.25 : f64, seed = 7 : i64} : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// The model function (prediction) has no entry attribute.
// CHECK-LABEL: func.func @m(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x8xf32>
// CHECK-NOT: nn.dropout
// CHECK: return %[[X]]
func.func @m(%x: tensor<?x8xf32> {nn.input = "x"}) -> tensor<?x8xf32> attributes {nn.model} {
  %y = nn.dropout %x {rate = 0.25 : f64, seed = 7 : i64} : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
