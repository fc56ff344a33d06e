// RUN: nnc-opt %s -nnc-tile-and-fuse-reductions='tile-rows=4' -canonicalize -cse | FileCheck %s

// A bias gradient (a reduction whose loops over the summed batch come first)
// and an optimizer update reading it: no statistic to tile along (few
// kept rows, each tile would read the whole input), so nothing is tiled.
// CHECK-LABEL: func.func @bias_gradient_update
// CHECK-NOT:     scf.for
// CHECK:         linalg.generic {{.*}}["reduction", "parallel"]
// CHECK:         linalg.generic {{.*}}["parallel"]
// CHECK:         return
#bias_in = affine_map<(d0, d1) -> (d0, d1)>
#bias_out = affine_map<(d0, d1) -> (d1)>
#vec = affine_map<(d0) -> (d0)>
func.func @bias_gradient_update(%dy: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %lr = arith.constant 1.000000e-01 : f32
  %e = tensor.empty() : tensor<8xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %g = linalg.generic {indexing_maps = [#bias_in, #bias_out], iterator_types = ["reduction", "parallel"]} ins(%dy : tensor<?x8xf32>) outs(%z : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %u = linalg.generic {indexing_maps = [#vec, #vec, #vec], iterator_types = ["parallel"]} ins(%b, %g : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %m = arith.mulf %q, %lr : f32
    %r = arith.subf %p, %m : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %u : tensor<8xf32>
}
