// RUN: nnc-opt %s -inline | FileCheck %s

// The nn dialect's inliner interface: MLIR's inliner replaces calls to a
// model with its body, also inside an nn.grad region (a physics-informed
// loss differentiates the model), so autodiff sees one body.

func.func @m(%x: tensor<?x1xf32>, %w: tensor<1x1xf32>) -> tensor<?x1xf32> {
  %0 = nn.matmul %x, %w : tensor<?x1xf32>, tensor<1x1xf32>
  %1 = nn.tanh %0 : tensor<?x1xf32>
  return %1 : tensor<?x1xf32>
}

// CHECK-LABEL: func.func @loss(
// CHECK-NOT:     call
// CHECK:         nn.grad
// CHECK:           nn.matmul
// CHECK:           nn.tanh
// CHECK:           nn.yield
// CHECK:         nn.matmul
// CHECK:         nn.tanh
// CHECK-NOT:     call
func.func @loss(%x: tensor<?x1xf32>, %w: tensor<1x1xf32>) -> tensor<?x1xf32> {
  %dx = nn.grad %x : tensor<?x1xf32> {
  ^bb0(%a: tensor<?x1xf32>):
    %u = func.call @m(%a, %w) : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
    nn.yield %u : tensor<?x1xf32>
  }
  %u = func.call @m(%x, %w) : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %r = nn.sub %dx, %u : tensor<?x1xf32>, tensor<?x1xf32>
  return %r : tensor<?x1xf32>
}
