// RUN: nnc-opt %s -nnc-autodiff -canonicalize -cse | FileCheck %s

// Backpropagation through time, in nn ops: the forward scan is replaced by
// one that also records the carried value each step starts from (its last
// yield), and the gradient is a scan in the other direction carrying dh
// and one accumulator per const (zeros at first), over the recorded
// states, the inputs and the outputs' gradients. Its body recomputes the
// step from the recorded state and differentiates it with the step's own
// rules (tanh, matmul, add); no nn.grad is left. (The gradient of x, not
// asked for, was a per-step output that canonicalization drops.)
// CHECK-LABEL: func.func @rnn
// CHECK-NOT: nn.grad
// CHECK: %[[F:.*]]:3 = nn.scan carry(%arg1 : tensor<?x8xf32>) over(%arg0 : tensor<?x5x4xf32>) with(%arg2, %arg3 : tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>, tensor<?x5x8xf32>, tensor<?x5x8xf32> {
// CHECK: ^bb0(%[[H:.*]]: tensor<?x8xf32>, %{{.*}}: tensor<?x4xf32>, %{{.*}}: tensor<4x8xf32>, %{{.*}}: tensor<8x8xf32>):
// CHECK: %[[T:.*]] = nn.tanh
// CHECK: nn.yield %[[T]], %[[T]], %[[H]]
// CHECK: %[[R:.*]]:3 = nn.scan carry({{.*}} : tensor<?x8xf32>, tensor<4x8xf32>, tensor<8x8xf32>) over(%[[F]]#2, %arg0, %{{.*}} : tensor<?x5x8xf32>, tensor<?x5x4xf32>, tensor<?x5x8xf32>) with(%arg2, %arg3 : tensor<4x8xf32>, tensor<8x8xf32>) reverse -> tensor<?x8xf32>, tensor<4x8xf32>, tensor<8x8xf32> {
// CHECK: ^bb0(%[[DH:.*]]: tensor<?x8xf32>, %[[AW:.*]]: tensor<4x8xf32>, %[[AU:.*]]: tensor<8x8xf32>, %[[HT:.*]]: tensor<?x8xf32>, %[[XT:.*]]: tensor<?x4xf32>, %[[DY:.*]]: tensor<?x8xf32>, %[[W:.*]]: tensor<4x8xf32>, %[[U:.*]]: tensor<8x8xf32>):
// CHECK: nn.matmul %[[HT]], %[[U]]
// CHECK: %[[Y:.*]] = nn.tanh
// CHECK: %[[SEED:.*]] = nn.add %[[DH]], %[[DY]]
// CHECK: %[[DZ:.*]] = nn.mul %[[SEED]],
// CHECK: %[[UT:.*]] = nn.transpose %[[U]]
// CHECK: %[[DHP:.*]] = nn.matmul %[[DZ]], %[[UT]]
// CHECK: %[[HTT:.*]] = nn.transpose %[[HT]]
// CHECK: %[[GU:.*]] = nn.matmul %[[HTT]], %[[DZ]]
// CHECK: %[[XTT:.*]] = nn.transpose %[[XT]]
// CHECK: %[[GW:.*]] = nn.matmul %[[XTT]], %[[DZ]]
// CHECK: %[[NW:.*]] = nn.add %[[AW]], %[[GW]]
// CHECK: %[[NU:.*]] = nn.add %[[AU]], %[[GU]]
// CHECK: nn.yield %[[DHP]], %[[NW]], %[[NU]] : tensor<?x8xf32>, tensor<4x8xf32>, tensor<8x8xf32>
// CHECK: return %[[R]]#1, %[[R]]#2
func.func @rnn(%x: tensor<?x5x4xf32>, %h0: tensor<?x8xf32>, %w: tensor<4x8xf32>, %u: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<8x8xf32>) {
  %g:2 = nn.grad %w, %u : tensor<4x8xf32>, tensor<8x8xf32> {
  ^bb0(%w0: tensor<4x8xf32>, %u0: tensor<8x8xf32>):
    %h, %hs = nn.scan carry(%h0 : tensor<?x8xf32>) over(%x : tensor<?x5x4xf32>) with(%w0, %u0 : tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>, tensor<?x5x8xf32> {
    ^bb0(%h1: tensor<?x8xf32>, %xt: tensor<?x4xf32>, %w1: tensor<4x8xf32>, %u1: tensor<8x8xf32>):
      %a = nn.matmul %xt, %w1 : tensor<?x4xf32>, tensor<4x8xf32>
      %b = nn.matmul %h1, %u1 : tensor<?x8xf32>, tensor<8x8xf32>
      %s = nn.add %a, %b : tensor<?x8xf32>, tensor<?x8xf32>
      %h2 = nn.tanh %s : tensor<?x8xf32>
      nn.yield %h2, %h2 : tensor<?x8xf32>, tensor<?x8xf32>
    }
    %l = nn.reduce_sum %hs : tensor<?x5x8xf32>
    nn.yield %l : tensor<f32>
  }
  return %g#0, %g#1 : tensor<4x8xf32>, tensor<8x8xf32>
}

// With seeds, nn.grad is a vector-Jacobian product: the seed is the
// cotangent of the value it goes with (here d(x*x) = 2 x s).
// CHECK-LABEL: func.func @vjp
// CHECK-NOT: nn.grad
// CHECK: %[[A:.*]] = nn.mul %arg1, %arg0
// CHECK: %[[S:.*]] = nn.add %[[A]], %[[A]]
// CHECK: return %[[S]]
func.func @vjp(%x: tensor<?x3xf32>, %s: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %g = nn.grad %x : tensor<?x3xf32> seeds(%s : tensor<?x3xf32>) {
  ^bb0(%a: tensor<?x3xf32>):
    %y = nn.mul %a, %a : tensor<?x3xf32>, tensor<?x3xf32>
    nn.yield %y : tensor<?x3xf32>
  }
  return %g : tensor<?x3xf32>
}
