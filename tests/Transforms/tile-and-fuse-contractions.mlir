// RUN: nnc-opt %s -nnc-tile-and-fuse-contractions='tile-rows=2 tile-cols=4' -canonicalize -cse | FileCheck %s
// RUN: nnc-opt %s -nnc-tile-and-fuse-contractions='tile-rows=2 tile-cols=4 reduction-block=0 small-output-reduction-block=0' -canonicalize -cse | FileCheck %s --check-prefix=NOBLOCK

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

// A weight gradient (static output, the batch as reduction, no epilogue):
// the reduction is blocked outermost, in order (nn.reduction_blocks), the
// fill stays before it, and each block runs every output tile (parallel).
// The output is small (at most 256 KiB): blocks of 64.
// CHECK-LABEL: func.func @weight_gradient
// CHECK:       %[[F:.*]] = linalg.fill
// CHECK:       %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK:       scf.for %[[K:.*]] = %c0 to %[[N]] step %c64 iter_args(%[[ACC:.*]] = %[[F]])
// CHECK:         scf.for %[[J:.*]] = %c0 to %c8 step %c4
// CHECK:           scf.for %[[I:.*]] = %c0 to %c6 step %c2
// CHECK-NOT:         linalg.fill
// CHECK:             %[[KS:.*]] = affine.min {{.*}}(%[[K]])[%[[N]]]
// CHECK:             tensor.extract_slice %arg0[%[[K]], %[[I]]] [%[[KS]], 2]
// CHECK:             tensor.extract_slice %arg1[%[[K]], %[[J]]] [%[[KS]], 4]
// CHECK:             linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:           } {nn.parallel}
// CHECK:         } {nn.parallel}
// CHECK:       } {nn.reduction_blocks}
// Without blocking: the fill is fused into the tiles and the reduction whole.
// NOBLOCK-LABEL: func.func @weight_gradient
// NOBLOCK-NOT:   nn.reduction_blocks
// NOBLOCK:       scf.for
// NOBLOCK:         scf.for
// NOBLOCK:           linalg.fill {{.*}} -> tensor<2x4xf32>
// NOBLOCK:           linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x2xf32>, tensor<?x4xf32>)
func.func @weight_gradient(%x: tensor<?x6xf32>, %dy: tensor<?x8xf32>) -> tensor<6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6x8xf32>) -> tensor<6x8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %dy : tensor<?x6xf32>, tensor<?x8xf32>) outs(%f : tensor<6x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  return %g : tensor<6x8xf32>
}

// A weight gradient whose output is larger than 256 KiB (here 512 KiB, a
// 512 x 256 layer) loads and stores its tiles once per block: blocks of 256.
// CHECK-LABEL: func.func @large_weight_gradient
// CHECK:       scf.for %{{.*}} = %c0 to %{{.*}} step %c256 iter_args
// CHECK:       } {nn.reduction_blocks}
func.func @large_weight_gradient(%x: tensor<?x512xf32>, %dy: tensor<?x256xf32>) -> tensor<512x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512x256xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<512x256xf32>) -> tensor<512x256xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %dy : tensor<?x512xf32>, tensor<?x256xf32>) outs(%f : tensor<512x256xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<512x256xf32>
  return %g : tensor<512x256xf32>
}

// A static reduction shorter than 4 blocks (here 128 = 2 blocks of 64) and
// a product whose rows are the batch are not blocked.
// CHECK-LABEL: func.func @short_reduction
// CHECK-NOT:   nn.reduction_blocks
// CHECK-LABEL: func.func @batch_rows
// CHECK-NOT:   nn.reduction_blocks
// CHECK:       return
func.func @short_reduction(%x: tensor<128x6xf32>, %dy: tensor<128x8xf32>) -> tensor<6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6x8xf32>) -> tensor<6x8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %dy : tensor<128x6xf32>, tensor<128x8xf32>) outs(%f : tensor<6x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  return %g : tensor<6x8xf32>
}
func.func @batch_rows(%x: tensor<?x2048xf32>, %w: tensor<2048x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<?x2048xf32>, tensor<2048x8xf32>) outs(%acc : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %mm : tensor<?x8xf32>
}
