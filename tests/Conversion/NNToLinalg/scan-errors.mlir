// RUN: nnc-opt %s --convert-nn-to-linalg -verify-diagnostics

// The stack of a per-step output is allocated before the loop, sized from
// what the body's ops say of their results (destination-passing ops,
// slices, reshapes, nested loops, any op that reifies its shape). An op
// that says nothing (an opaque call) cannot be sized: the lowering stops
// with an internal error (no .nn layer produces such a body) instead of
// allocating a wrong size.
func.func private @opaque(tensor<?x4xf32>) -> tensor<?x4xf32>
func.func @unsized(%x: tensor<?x5x4xf32>, %h0: tensor<?x4xf32>) -> tensor<?x5x4xf32> {
  // expected-error @below {{internal: cannot size the per-step output's axis 0 before the loop}}
  %h, %hs = nn.scan carry(%h0 : tensor<?x4xf32>) over(%x : tensor<?x5x4xf32>) -> tensor<?x4xf32>, tensor<?x5x4xf32> {
  ^bb0(%h1: tensor<?x4xf32>, %xt: tensor<?x4xf32>):
    %y = func.call @opaque(%xt) : (tensor<?x4xf32>) -> tensor<?x4xf32>
    nn.yield %h1, %y : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %hs : tensor<?x5x4xf32>
}
