// RUN: nnc-opt %s -nnc-vectorize-contractions="vector-bits=256 rows=2 cols=2" -canonicalize -split-input-file | FileCheck %s

// A row-major contraction with a zero fill, B of unknown size: B is first
// copied into blocks of 16 columns, each contiguous over k (zero past the
// last column); the fill becomes the accumulators' initial value; 2 x 2
// blocks of 8-wide vectors stay in registers across the k loop; the rows
// left over run one at a time, the columns left over one masked vector at
// a time. The copy is freed at the end.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT:     linalg.
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK:         %[[PACKED:.*]] = memref.alloc(%{{.*}}, %{{.*}}) {alignment = 64 : i64} : memref<?x?x16xf32>
// CHECK:         scf.for %[[JB:[a-z0-9_]+]] =
// CHECK:           scf.for %[[PK:[a-z0-9_]+]] =
// CHECK:             vector.maskedload %arg1[%[[PK]], %{{.*}}]
// CHECK:             vector.store %{{.*}}, %[[PACKED]][%[[JB]], %[[PK]], %c0]
// CHECK:             vector.maskedload %arg1
// CHECK:             vector.store %{{.*}}, %[[PACKED]][%[[JB]], %[[PK]], %c8]
// The copy's blocks are independent: a parallel kernel of its own.
// CHECK:         } {nn.parallel}
// Full 2-row blocks.
// CHECK:         scf.for %[[I:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step %c2{{(_[0-9]+)?}} {
// CHECK:           scf.for %[[J:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step %c16{{(_[0-9]+)?}} {
// Each vector of B comes from one block of the copy.
// CHECK:             memref.subview %[[PACKED]][%{{.*}}, 0, 0] [1, %{{.*}}, 16] [1, 1, 1]
// CHECK:             %[[ACC:.*]]:4 = scf.for %[[K:[a-z0-9_]+]] = {{.*}} iter_args(%{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]])
// CHECK-COUNT-2:       vector.load %{{.*}}[%[[K]], %{{.*}}] : memref<?x16xf32, strided<[16, 1], offset: ?>>, vector<8xf32>
// CHECK:               memref.load %arg0[%[[I]], %[[K]]]
// CHECK:               vector.broadcast
// CHECK-COUNT-2:       vector.fma
// CHECK:               memref.load %arg0[%{{.*}}, %[[K]]]
// CHECK:               vector.broadcast
// CHECK-COUNT-2:       vector.fma
// CHECK:               scf.yield
// CHECK-COUNT-4:     vector.store %{{.*}}, %arg2
// Then the columns left over, one masked vector at a time.
// CHECK:           scf.for {{.*}} step %c8{{(_[0-9]+)?}} {
// CHECK:             vector.create_mask
// CHECK:             vector.load %{{.*}} : memref<?x16xf32, strided<[16, 1], offset: ?>>
// CHECK:             vector.maskedstore %arg2
// Row blocks write disjoint rows of C (parallel when not inside tiles).
// CHECK:         } {nn.parallel}
// The rows left over.
// CHECK:         scf.for {{.*}} step %c1{{(_[0-9]+)?}} {
// CHECK:         } {nn.parallel}
// CHECK:         memref.dealloc %[[PACKED]]
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (i, k)>,
                       affine_map<(i, k, j) -> (k, j)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A transposed A (x^T of a weight gradient) is read in place: the scalar
// loads index it as [k, i]. Without a fill, the accumulators start from C.
// f64 vectors hold 4 elements at 256 bits. B, 8 columns wide, is read in
// place: a copy would cost more than it saves.
// CHECK-LABEL: func.func @transposed_a
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     memref.alloc
// CHECK:         scf.for %[[I:[a-z0-9_]+]] = %{{.*}} step %c2{{(_[0-9]+)?}} {
// CHECK:           vector.load %arg2[%[[I]], %{{.*}}] : memref<6x8xf64>, vector<4xf64>
// CHECK:           scf.for %[[K:[a-z0-9_]+]] =
// CHECK:             vector.load %arg1[%[[K]], %{{.*}}] : memref<?x8xf64>
// CHECK:             memref.load %arg0[%[[K]], %[[I]]] : memref<?x6xf64>
func.func @transposed_a(%a: memref<?x6xf64>, %b: memref<?x8xf64>, %c: memref<6x8xf64>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, j, k) -> (k, i)>,
                       affine_map<(i, j, k) -> (k, j)>,
                       affine_map<(i, j, k) -> (i, j)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x6xf64>, memref<?x8xf64>) outs(%c : memref<6x8xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %x, %y : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  }
  return
}

// -----

// B contiguous along k (W of dx = dy W^T, read in place): B is always
// packed, each column of the copy gathered from a row of W. Anything that
// is not exactly a multiply-add is left to linalg-to-loops.
// CHECK-LABEL: func.func @transposed_b
// CHECK:         %[[PACKED:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x4x16xf32>
// CHECK:         scf.for %[[PK:[a-z0-9_]+]] =
// CHECK:           memref.load %arg1[%c0, %[[PK]]] : memref<8x4xf32>
// CHECK:           memref.load %arg1[%c1, %[[PK]]] : memref<8x4xf32>
// CHECK:           vector.from_elements
// CHECK:           vector.store %{{.*}}, %[[PACKED]]
// CHECK:         memref.subview %[[PACKED]]
// CHECK:         vector.load
// CHECK:         vector.fma
// CHECK-NOT:     linalg.generic
// CHECK:         memref.dealloc %[[PACKED]]
// CHECK-LABEL: func.func @not_mul_add
// CHECK:         linalg.generic
// CHECK-NOT:     vector.
func.func @transposed_b(%a: memref<?x4xf32>, %b: memref<8x4xf32>, %c: memref<?x8xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (i, k)>,
                       affine_map<(i, k, j) -> (j, k)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x4xf32>, memref<8x4xf32>) outs(%c : memref<?x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
func.func @not_mul_add(%a: memref<?x4xf32>, %b: memref<4x8xf32>, %c: memref<?x8xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (i, k)>,
                       affine_map<(i, k, j) -> (k, j)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x4xf32>, memref<4x8xf32>) outs(%c : memref<?x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.subf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A transposed A whose rows are a page long (h^T of a 1024-wide layer's
// weight gradient) is copied first, each block of 2 rows' scalars side by
// side for every k (zero past the last row); the micro-kernel broadcasts
// from the copy. C has 1024 rows and B's rows are 512 bytes, so B is packed
// as well.
// CHECK-LABEL: func.func @packed_a
// CHECK:         %[[PB:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<8x?x16xf32>
// CHECK:         %[[PA:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<512x?x2xf32>
// The copy goes through groups of 8 blocks (16 rows, a cache line of A),
// reading each k's line once for the whole group.
// CHECK:         scf.for %[[G:[a-z0-9_]+]] =
// CHECK:           %[[IB0:.*]] = arith.muli %[[G]], %c8
// CHECK:           scf.for %[[PK:[a-z0-9_]+]] =
// CHECK:             scf.for %[[IB:[a-z0-9_]+]] = %[[IB0]] to
// CHECK:               vector.create_mask
// CHECK:               vector.maskedload %arg0[%[[PK]], %{{.*}}]{{.*}} into vector<2xf32>
// CHECK:               vector.store %{{.*}}, %[[PA]][%[[IB]], %[[PK]], %c0]
// CHECK:         } {nn.parallel}
// CHECK:         memref.subview %[[PB]]
// CHECK:         scf.for %[[K:[a-z0-9_]+]] = {{.*}} iter_args
// CHECK:           vector.load
// CHECK:           memref.load %[[PA]][%{{.*}}, %[[K]], %{{.*}}] : memref<512x?x2xf32>
// CHECK:           vector.fma
// CHECK:         memref.dealloc %[[PA]]
// CHECK:         memref.dealloc %[[PB]]
func.func @packed_a(%a: memref<?x1024xf32>, %b: memref<?x128xf32>, %c: memref<1024x128xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (k, i)>,
                       affine_map<(i, k, j) -> (k, j)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x1024xf32>, memref<?x128xf32>) outs(%c : memref<1024x128xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The same transposed A inside a reduction block (nn.reduction_blocks, from
// nnc-tile-and-fuse-contractions): the block's rows of A stay in cache for
// every tile, so A is read in place, with prefetches, not copied.
// Only B is copied (its rows are 512 bytes and C has 1024 rows).
// CHECK-LABEL: func.func @transposed_a_in_block
// CHECK:         memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<8x?x16xf32>
// CHECK-NOT:     memref.alloc
// CHECK:         scf.for %[[KB:[a-z0-9_]+]] =
// CHECK:           memref.prefetch %subview
// CHECK:           vector.fma
// CHECK:         } {nn.reduction_blocks}
// CHECK-NOT:     memref.alloc
func.func @transposed_a_in_block(%a: memref<?x1024xf32>, %b: memref<?x128xf32>, %c: memref<1024x128xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %n = memref.dim %a, %c0 : memref<?x1024xf32>
  scf.for %k = %c0 to %n step %c64 {
    %ks = affine.min affine_map<(d0)[s0] -> (-d0 + s0, 64)>(%k)[%n]
    %at = memref.subview %a[%k, 0] [%ks, 1024] [1, 1] : memref<?x1024xf32> to memref<?x1024xf32, strided<[1024, 1], offset: ?>>
    %bt = memref.subview %b[%k, 0] [%ks, 128] [1, 1] : memref<?x128xf32> to memref<?x128xf32, strided<[128, 1], offset: ?>>
    linalg.generic {
        indexing_maps = [affine_map<(i, k, j) -> (k, i)>,
                         affine_map<(i, k, j) -> (k, j)>,
                         affine_map<(i, k, j) -> (i, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%at, %bt : memref<?x1024xf32, strided<[1024, 1], offset: ?>>, memref<?x128xf32, strided<[128, 1], offset: ?>>) outs(%c : memref<1024x128xf32>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
  } {nn.reduction_blocks}
  return
}

// -----

// A convolution's kernel gradient: B (dy) has rows of 64 floats, 256 bytes,
// which the k loop reads in order; a copy would only add a round trip
// through memory, so B is read in place even though C has many rows.
// A (x^T, rows of 288 floats) is read in place too: each k step prefetches
// the first and the last of the micro-kernel's rows 8 steps ahead (at most
// the last step), the stride of a row of x being beyond the hardware
// prefetchers.
// CHECK-LABEL: func.func @short_dy_rows
// CHECK-NOT:     memref.alloc
// CHECK:         %[[K:.*]] = memref.dim %arg0, %c0
// CHECK:         %[[KLAST:.*]] = arith.subi %[[K]], %c1
// CHECK:         scf.for %[[I:[a-z0-9_]+]] =
// CHECK:           scf.for
// CHECK:             %[[ILAST:.*]] = arith.addi %[[I]], %c1
// CHECK:             scf.for %[[KK:[a-z0-9_]+]] = {{.*}} iter_args
// CHECK:               vector.load %arg1[%[[KK]], %{{.*}}] : memref<?x64xf32>
// CHECK:               %[[AHEAD:.*]] = arith.addi %[[KK]], %c8
// CHECK:               %[[AT:.*]] = arith.minui %[[AHEAD]], %[[KLAST]]
// CHECK:               memref.prefetch %arg0[%[[AT]], %[[I]]], read, locality<3>, data
// CHECK:               memref.prefetch %arg0[%[[AT]], %[[ILAST]]], read, locality<3>, data
// CHECK:               memref.load %arg0[%[[KK]], %[[I]]]
// CHECK:               vector.fma
func.func @short_dy_rows(%a: memref<?x288xf32>, %b: memref<?x64xf32>, %c: memref<288x64xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (k, i)>,
                       affine_map<(i, k, j) -> (k, j)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x288xf32>, memref<?x64xf32>) outs(%c : memref<288x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A forward layer: C's rows are the batch, known at run time, and B's rows
// are short. B is copied, and read from the copy, only when C has 128 rows
// or more; otherwise the copy has no blocks and B is read in place.
// CHECK-LABEL: func.func @rows_at_run_time
// CHECK:         %[[ROWS:.*]] = memref.dim %arg2, %c0
// CHECK:         %[[MANY:.*]] = arith.cmpi uge, %[[ROWS]], %c128
// CHECK:         %[[BLOCKS:.*]] = arith.select %[[MANY]], %c2, %c0
// CHECK:         %[[PB:.*]] = memref.alloc(%[[BLOCKS]]) {alignment = 64 : i64} : memref<?x300x16xf32>
// CHECK:         scf.if %[[MANY]] -> (memref<?x?xf32, strided<[?, 1], offset: ?>>, index
// CHECK:           memref.subview %[[PB]]
// CHECK:         } else {
// CHECK:           memref.cast %arg1
// CHECK:         memref.dealloc %[[PB]]
func.func @rows_at_run_time(%a: memref<?x300xf32>, %b: memref<300x32xf32>, %c: memref<?x32xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, k, j) -> (i, k)>,
                       affine_map<(i, k, j) -> (k, j)>,
                       affine_map<(i, k, j) -> (i, j)>],
      iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x300xf32>, memref<300x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
