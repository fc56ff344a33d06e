// RUN: nnc-opt %s -nnc-tile-and-fuse-contractions='tile-rows=2 tile-cols=4' -canonicalize -cse | FileCheck %s

// A dense layer's matmul, its zero fill and its bias + relu epilogue run as
// one tiled loop nest over output tiles (2 rows x 4 columns here): no
// untiled matmul is left, and each tile is filled, accumulated and finished
// while it is in cache. The loop over column tiles is the outer one, so
// that a column block of the weights serves every row tile in turn.
// CHECK-LABEL: func.func @dense
// CHECK-NOT:     linalg.matmul
// CHECK:         scf.for {{.*}} = %c0 to %c8 step %c4
// CHECK:           scf.for {{.*}} step %c2
// CHECK:             linalg.fill {{.*}} -> tensor<?x4xf32>
// CHECK:             linalg.matmul {{.*}} -> tensor<?x4xf32>
// CHECK:             linalg.generic
// CHECK:               arith.addf
// CHECK:               arith.maximumf
// CHECK:             tensor.insert_slice
// Both tile loops write disjoint tiles: marked for the parallel kernels of
// nnc-outline-kernels.
// CHECK:           } {nn.parallel}
// CHECK:         } {nn.parallel}
// CHECK-NOT:     linalg.matmul
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @dense(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<?x4xf32>, tensor<4x8xf32>) outs(%acc : tensor<?x8xf32>) -> tensor<?x8xf32>
  %e2 = tensor.empty(%n) : tensor<?x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<?x8xf32>, tensor<8xf32>) outs(%e2 : tensor<?x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %o: f32):
    %s = arith.addf %a, %bb : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// A contraction without an elementwise consumer is tiled on its own.
// CHECK-LABEL: func.func @bare
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             linalg.matmul {{.*}} -> tensor<?x4xf32>
func.func @bare(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<?x4xf32>, tensor<4x8xf32>) outs(%acc : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %mm : tensor<?x8xf32>
}
