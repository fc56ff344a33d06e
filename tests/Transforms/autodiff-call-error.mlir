// RUN: nnc-opt %s -nnc-autodiff -verify-diagnostics

// Autodiff differentiates ops, not calls: the training pipeline runs MLIR's
// inliner first. A call left in a grad body is reported, not skipped (a
// skipped call would silently drop its contribution to the gradient).

func.func private @m(%x: tensor<?x1xf32>) -> tensor<?x1xf32>

func.func @loss(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %dx = nn.grad %x : tensor<?x1xf32> {
  ^bb0(%a: tensor<?x1xf32>):
    // expected-error @+1 {{cannot differentiate a call: inline it first}}
    %u = func.call @m(%a) : (tensor<?x1xf32>) -> tensor<?x1xf32>
    nn.yield %u : tensor<?x1xf32>
  }
  return %dx : tensor<?x1xf32>
}
