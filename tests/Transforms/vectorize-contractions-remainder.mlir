// RUN: nnc-opt %s -nnc-vectorize-contractions="vector-bits=256 rows=8 cols=1" -canonicalize -split-input-file | FileCheck %s

// The rows below a full 8-row micro-kernel. With C's rows known (27, the
// kernel gradient of a 3x3x3 convolution) the 3 left over are one block of
// 3 rows: three broadcasts of A per k step sharing each vector of B, not
// three 1-row kernels each loading B again.
// CHECK-LABEL: func.func @static_rows
// CHECK:         scf.for %{{.*}} = %c0 to %c24 step %c8 {
// CHECK:           scf.for {{.*}} iter_args({{([^,]*, ){7}[^,]*}})
// CHECK-COUNT-8:     vector.fma
// CHECK:             scf.yield
// CHECK:         } {nn.parallel}
// The block of 3 at row 24, not in a loop.
// CHECK-NOT:     scf.for {{.*}} step %c1
// CHECK:         scf.for %{{.*}} = %c0 to %c32 step %c8 {
// CHECK:           scf.for {{.*}} iter_args({{([^,]*, ){2}[^,]*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:             memref.load %arg0[%{{.*}}, %c24]
// CHECK:             vector.fma
// CHECK:             memref.load %arg0[%{{.*}}, %c25]
// CHECK:             vector.fma
// CHECK:             memref.load %arg0[%{{.*}}, %c26]
// CHECK:             vector.fma
// CHECK-NOT:     scf.for {{.*}} step %c1
// CHECK:         return
func.func @static_rows(%a: memref<?x27xf32>, %b: memref<?x32xf32>, %c: memref<27x32xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (k, i)>,
                       affine_map<(i, k, j) -> (k, j)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x27xf32>, memref<?x32xf32>) outs(%c : memref<27x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Rows known only at run time: blocks of 8, then of 4, then single rows,
// each tier a parallel loop starting where the one before stopped.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK:         scf.for %{{.*}} = %c0 to %[[MAIN:.*]] step %c8 {
// CHECK-COUNT-8:     vector.fma
// CHECK:         } {nn.parallel}
// CHECK:         scf.for %{{.*}} = %[[MAIN]] to %[[FOURS:.*]] step %c4 {
// CHECK:           scf.for {{.*}} iter_args({{([^,]*, ){3}[^,]*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-4:     vector.fma
// CHECK:         } {nn.parallel}
// CHECK:         scf.for %{{.*}} = %[[FOURS]] to %{{.*}} step %c1 {
// CHECK:         } {nn.parallel}
func.func @dynamic_rows(%a: memref<?x16xf32>, %b: memref<16x32xf32>, %c: memref<?x32xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (i, k)>,
                       affine_map<(i, k, j) -> (k, j)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x16xf32>, memref<16x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
