// RUN: nnc-opt %s -nnc-lower-implicit-convolutions="vector-bits=256 rows=4 cols=2" -canonicalize -cse -split-input-file | FileCheck %s

// y[n, i, j, f] += x[n, i + a, j*3 + q] * w[a, q, f]: 3 kernel rows, 9
// window values per row (KW*C), 20 filters, OH = 4, OW = 2. With at most 4
// positions per micro-kernel a tile is 2 whole output rows (4 positions, one
// group), N * 2 tiles in parallel; 16 filters as 2 vectors, then the last 4
// as a masked vector. The zero fill becomes the accumulators' initial value.
// Position (di, j) broadcasts x at (n, i0 + di + a, j*3 + q).
// CHECK-LABEL: func.func @two_rows_per_tile
// CHECK-NOT:   linalg.fill
// CHECK:       %[[N:.*]] = memref.dim %arg2, %c0
// CHECK:       %[[TILES:.*]] = arith.muli %[[N]], %c2
// CHECK:       scf.for %[[T:.*]] = %c0 to %[[TILES]] step %c1 {
// CHECK:         %[[IMG:.*]] = arith.divui %[[T]], %c2
// CHECK:         %[[TI:.*]] = arith.remui %[[T]], %c2
// CHECK:         %[[I0:.*]] = arith.muli %[[TI]], %c2
// CHECK:         %[[I1:.*]] = arith.addi %[[I0]], %c1
// CHECK:         scf.for %[[A:.*]] = %c0 to %c3 step %c1 iter_args(%[[ACC:.*]] = %cst, {{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:           %[[ROW:.*]] = arith.addi %[[I0]], %[[A]]
// CHECK:           scf.for %[[Q:.*]] = %c0 to %c9 step %c1 iter_args
// CHECK:             %[[W0:.*]] = vector.load %arg1[%[[A]], %[[Q]], %c0]
// CHECK:             %[[W1:.*]] = vector.load %arg1[%[[A]], %[[Q]], %c8]
// CHECK:             %[[S0:.*]] = memref.load %arg0[%[[IMG]], %[[ROW]], %[[Q]]]
// CHECK:             %[[B0:.*]] = vector.broadcast %[[S0]]
// CHECK:             vector.fma %[[B0]], %[[W0]]
// CHECK:             vector.fma %[[B0]], %[[W1]]
// CHECK:             %[[Q3:.*]] = arith.addi %[[Q]], %c3
// CHECK:             memref.load %arg0[%[[IMG]], %[[ROW]], %[[Q3]]]
// CHECK-COUNT-2:     vector.fma
// CHECK:             %[[ROW1:.*]] = arith.addi %[[ROW]], %c1
// CHECK:             memref.load %arg0[%[[IMG]], %[[ROW1]], %[[Q]]]
// CHECK-COUNT-2:     vector.fma
// CHECK:             memref.load %arg0[%[[IMG]], %[[ROW1]], %[[Q3]]]
// CHECK-COUNT-2:     vector.fma
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I0]], %c0, %c0]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I0]], %c0, %c8]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I0]], %c1, %c0]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I0]], %c1, %c8]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I1]], %c0, %c0]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I1]], %c0, %c8]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I1]], %c1, %c0]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I1]], %c1, %c8]
// CHECK:         %[[MASK:.*]] = vector.constant_mask [4] : vector<8xi1>
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             vector.maskedload %arg1[%{{.*}}, %{{.*}}, %c16], %[[MASK]]
// CHECK-COUNT-4:     vector.fma
// CHECK-COUNT-4: vector.maskedstore %arg2[%[[IMG]], %{{.*}}, %{{.*}}, %c16], %[[MASK]]
// CHECK:       } {nn.parallel}
// CHECK-NOT:   linalg.generic
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 3 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @two_rows_per_tile(%x: memref<?x6x12xf32>, %w: memref<3x9x20xf32>, %y: memref<?x4x2x20xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x4x2x20xf32>)
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x6x12xf32>, memref<3x9x20xf32>) outs(%y : memref<?x4x2x20xf32>) attrs = {nn.implicit_convolution = 3 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// OW = 5 > 4 positions: a tile is one output row (OH = 7: a taller tile
// would need more than 6 groups), its 5 positions in groups of 3 and 2 (not
// 4 and 1: one position alone would be one FMA chain per vector, latency
// bound). Without a fill, the accumulators start from y.
// CHECK-LABEL: func.func @uneven_groups
// CHECK:       scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:         %[[IMG:.*]] = arith.divui %[[T]], %c7
// CHECK:         %[[I:.*]] = arith.remui %[[T]], %c7
// CHECK:         vector.load %arg2[%[[IMG]], %[[I]], %c0, %c0]
// CHECK-COUNT-4: vector.load %arg2
// CHECK:         vector.load %arg2[%[[IMG]], %[[I]], %c2, %c8]
// CHECK-NEXT:    scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-6: vector.fma
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I]], %c2, %c8]
// CHECK-NEXT:    vector.load %arg2[%[[IMG]], %[[I]], %c3, %c0]
// CHECK-COUNT-3: vector.load %arg2
// CHECK-NEXT:    scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:           scf.for %[[Q:.*]] = %c0 to %c6
// CHECK:             %[[Q6:.*]] = arith.addi %[[Q]], %c6
// CHECK:             memref.load %arg0[%[[IMG]], %{{.*}}, %[[Q6]]]
// CHECK-COUNT-2:     vector.fma
// CHECK:             %[[Q8:.*]] = arith.addi %[[Q]], %c8
// CHECK:             memref.load %arg0[%[[IMG]], %{{.*}}, %[[Q8]]]
// CHECK-COUNT-2:     vector.fma
// CHECK-NEXT:        scf.yield
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I]], %c4, %c8]
// CHECK:       } {nn.parallel}
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 2 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @uneven_groups(%x: memref<?x9x14xf32>, %w: memref<3x6x16xf32>, %y: memref<?x7x5x16xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x9x14xf32>, memref<3x6x16xf32>) outs(%y : memref<?x7x5x16xf32>) attrs = {nn.implicit_convolution = 2 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// OH = 6, OW = 5: one row would run as groups of 3 and 2 (2.5 positions on
// average); a tile of 3 rows (a divisor of OH) runs its 15 positions as
// groups of 4, 4, 4 and 3 (3.75), at most 6 groups, so it is taken. Groups
// span rows: the second is (0, 4), (1, 0), (1, 1), (1, 2).
// CHECK-LABEL: func.func @taller_tiles
// CHECK:       scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:         %[[IMG:.*]] = arith.divui %[[T]], %c2
// CHECK:         %[[TI:.*]] = arith.remui %[[T]], %c2
// CHECK:         %[[I0:.*]] = arith.muli %[[TI]], %c3
// CHECK:         scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I0]], %c3, %c8]
// CHECK-NEXT:    %[[I1:.*]] = arith.addi %[[I0]], %c1
// CHECK-NEXT:    vector.load %arg2[%[[IMG]], %[[I0]], %c4, %c0]
// CHECK-NEXT:    vector.load %arg2[%[[IMG]], %[[I0]], %c4, %c8]
// CHECK-NEXT:    vector.load %arg2[%[[IMG]], %[[I1]], %c0, %c0]
// CHECK:         scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I0]], %c4, %c0]
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %[[I1]], %c2, %c8]
// CHECK:         scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:         scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:         vector.store %{{.*}}, %arg2[%[[IMG]], %{{.*}}, %c4, %c8]
// CHECK-NEXT:  } {nn.parallel}
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 2 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @taller_tiles(%x: memref<?x8x14xf32>, %w: memref<3x6x16xf32>, %y: memref<?x6x5x16xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x8x14xf32>, memref<3x6x16xf32>) outs(%y : memref<?x6x5x16xf32>) attrs = {nn.implicit_convolution = 2 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Other element types are left to the generic lowering.
// CHECK-LABEL: func.func @half
// CHECK:       linalg.generic
// CHECK-SAME:  nn.implicit_convolution = 3
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 3 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @half(%x: memref<?x6x12xf16>, %w: memref<3x9x20xf16>, %y: memref<?x4x2x20xf16>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x6x12xf16>, memref<3x9x20xf16>) outs(%y : memref<?x4x2x20xf16>) attrs = {nn.implicit_convolution = 3 : i64} {
  ^bb0(%a: f16, %b: f16, %acc: f16):
    %p = arith.mulf %a, %b : f16
    %s = arith.addf %acc, %p : f16
    linalg.yield %s : f16
  }
  return
}

// -----

// The attribute is only a claim: maps of another computation (here the
// window column scaled by 2 instead of C = 3) keep the generic lowering.
// CHECK-LABEL: func.func @other_map
// CHECK:       linalg.generic
// CHECK-SAME:  nn.implicit_convolution = 3
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 2 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @other_map(%x: memref<?x6x12xf32>, %w: memref<3x9x20xf32>, %y: memref<?x4x2x20xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x6x12xf32>, memref<3x9x20xf32>) outs(%y : memref<?x4x2x20xf32>) attrs = {nn.implicit_convolution = 3 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A body other than the multiply-add keeps the generic lowering.
// CHECK-LABEL: func.func @other_body
// CHECK:       linalg.generic
// CHECK:         arith.maximumf
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 3 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @other_body(%x: memref<?x6x12xf32>, %w: memref<3x9x20xf32>, %y: memref<?x4x2x20xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x6x12xf32>, memref<3x9x20xf32>) outs(%y : memref<?x4x2x20xf32>) attrs = {nn.implicit_convolution = 3 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A bias add in place on y right after the convolution is done on the
// accumulators before the store (the same rounding as the separate pass),
// and erased.
// CHECK-LABEL: func.func @bias_in_registers
// CHECK:       scf.for
// CHECK:         %[[SUMS:.*]]:6 = scf.for
// CHECK:         %[[B0:.*]] = vector.load %arg3[%c0] : memref<16xf32>, vector<8xf32>
// CHECK:         %[[B1:.*]] = vector.load %arg3[%c8] : memref<16xf32>, vector<8xf32>
// CHECK:         %[[Y00:.*]] = arith.addf %[[SUMS]]#0, %[[B0]]
// CHECK:         vector.store %[[Y00]], %arg2[%{{.*}}, %{{.*}}, %c0, %c0]
// CHECK:         %[[Y01:.*]] = arith.addf %[[SUMS]]#1, %[[B1]]
// CHECK:         vector.store %[[Y01]], %arg2[%{{.*}}, %{{.*}}, %c0, %c8]
// CHECK:       } {nn.parallel}
// CHECK-NOT:   linalg.generic
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 2 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
#f = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @bias_in_registers(%x: memref<?x9x14xf32>, %w: memref<3x6x16xf32>, %y: memref<?x7x5x16xf32>, %b: memref<16xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x9x14xf32>, memref<3x6x16xf32>) outs(%y : memref<?x7x5x16xf32>) attrs = {nn.implicit_convolution = 2 : i64} {
  ^bb0(%a: f32, %k: f32, %acc: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#f, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<16xf32>) outs(%y : memref<?x7x5x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A following op that is not a bias add of y in place (here a ReLU into
// another buffer) stays a separate loop nest.
// CHECK-LABEL: func.func @not_a_bias
// CHECK:       } {nn.parallel}
// CHECK:       linalg.generic
// CHECK:         arith.maximumf
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 2 + d5)>
#w = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
#y = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @not_a_bias(%x: memref<?x9x14xf32>, %w: memref<3x6x16xf32>, %y: memref<?x7x5x16xf32>, %r: memref<?x7x5x16xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x9x14xf32>, memref<3x6x16xf32>) outs(%y : memref<?x7x5x16xf32>) attrs = {nn.implicit_convolution = 2 : i64} {
  ^bb0(%a: f32, %k: f32, %acc: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<?x7x5x16xf32>) outs(%r : memref<?x7x5x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %s = arith.maximumf %in, %zero : f32
    linalg.yield %s : f32
  }
  return
}
