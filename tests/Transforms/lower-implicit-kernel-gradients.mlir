// RUN: nnc-opt %s -nnc-lower-implicit-kernel-gradients="vector-bits=256 rows=2 cols=2" -canonicalize -split-input-file | FileCheck %s

// dw[a, q, f] += x[n, i + a, j*3 + q] * dy[n, i, j, f]: 3 kernel rows,
// 5 window values per row (KW*C), 20 filters, OH = 4, OW = 3. Images in blocks
// of 68 (64 KiB of dy / 960 bytes per image), in order; inside a block the
// 2 full blocks of 2 rows in parallel, then the row left over; per row
// block 16 filters as 2 vectors, then the last 4 as a masked vector; per
// chunk of 68 output rows (16 KiB of dy / 240 bytes per row; rows r of the
// block's images, image r / 4, row r % 4) and per kernel row a micro-kernel
// whose accumulators start from dw and run over (r, j), broadcasting x at
// (n, i + a, j*3 + q0 + r). More than one row block: no prefetch.
// CHECK-LABEL: func.func @kernel_gradient
// CHECK:       %[[N:.*]] = memref.dim %arg1, %c0
// CHECK:       scf.for %[[N0:.*]] = %c0 to %[[N]] step %c68 {
// CHECK:         %[[NEND:.*]] = arith.minui %{{.*}}, %[[N]]
// CHECK:         scf.for %[[T:.*]] = %c0 to %c2 step %c1 {
// CHECK:           %[[Q0:.*]] = arith.muli %[[T]], %c2
// CHECK:           %[[Q1:.*]] = arith.addi %[[Q0]], %c1
// CHECK:           %[[FIRST:.*]] = arith.muli %[[N0]], %c4
// CHECK:           %[[END:.*]] = arith.muli %[[NEND]], %c4
// CHECK:           scf.for %[[R0:.*]] = %[[FIRST]] to %[[END]] step %c68 {
// CHECK:             %[[R1:.*]] = arith.addi %[[R0]], %c68
// CHECK:             %[[REND:.*]] = arith.minui %[[R1]], %[[END]]
// CHECK:             scf.for %[[A:.*]] = %c0 to %c3 step %c1 {
// CHECK:               %[[C00:.*]] = vector.load %arg2[%[[A]], %[[Q0]], %c0]
// CHECK:               vector.load %arg2[%[[A]], %[[Q1]], %c0]
// CHECK:               vector.load %arg2
// CHECK:               scf.for %[[R:.*]] = %[[R0]] to %[[REND]] step %c1 iter_args
// CHECK:                 %[[IMG:.*]] = arith.divui %[[R]], %c4
// CHECK:                 %[[I:.*]] = arith.remui %[[R]], %c4
// CHECK:                 %[[ROW:.*]] = arith.addi %[[I]], %[[A]]
// CHECK:                 scf.for %[[J:.*]] = %c0 to %c3 step %c1 iter_args(%[[ACC:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK:                   %[[B0:.*]] = vector.load %arg1[%[[IMG]], %[[I]], %[[J]], %c0]
// CHECK:                   %[[B1:.*]] = vector.load %arg1[%[[IMG]], %[[I]], %[[J]], %c8]
// CHECK-NOT:               memref.prefetch
// CHECK:                   %[[JC:.*]] = arith.muli %[[J]], %c3
// CHECK:                   %[[COL:.*]] = arith.addi %[[JC]], %[[Q0]]
// CHECK:                   %[[S:.*]] = memref.load %arg0[%[[IMG]], %[[ROW]], %[[COL]]]
// CHECK:                   %[[SPLAT:.*]] = vector.broadcast %[[S]]
// CHECK:                   vector.fma %[[SPLAT]], %[[B0]], %[[ACC]]
// CHECK:                   vector.fma %[[SPLAT]], %[[B1]]
// CHECK:                   arith.addi %[[COL]], %c1
// CHECK-COUNT-2:           vector.fma
// CHECK:               vector.store %{{.*}}, %arg2[%[[A]], %[[Q0]], %c0]
// CHECK:           %[[MASK:.*]] = vector.constant_mask [4] : vector<8xi1>
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               vector.maskedload %arg2[%{{.*}}, %[[Q0]], %c16], %[[MASK]]
// CHECK:               vector.maskedload %arg1[{{.*}}, %c16], %[[MASK]]
// CHECK:               vector.maskedstore %arg2
// CHECK:         } {nn.parallel}
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c68 {
// CHECK:           scf.for %{{.*}} = %c0 to %c3 step %c1 {
// CHECK:             vector.load %arg2[%{{.*}}, %c4, %c0]
// CHECK:       } {nn.reduction_blocks}
// CHECK-NOT:   linalg.generic
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0 + d4, d5 * 3 + d1)>
#dy = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5, d2)>
#dw = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @kernel_gradient(%x: memref<?x6x12xf32>, %dy: memref<?x4x3x20xf32>, %dw: memref<3x5x20xf32>) {
  linalg.generic {indexing_maps = [#x, #dy, #dw], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : memref<?x6x12xf32>, memref<?x4x3x20xf32>) outs(%dw : memref<3x5x20xf32>) attrs = {nn.implicit_kernel_gradient = 3 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A window row of 2 values (KW = 1, C = 2) is one row block: the first
// kernel row's pass over each chunk, peeled off, prefetches dy at the row
// a chunk (64 rows) ahead, clamped to dy's last row; the other kernel rows'
// passes (a loop from 1) do not.
// CHECK-LABEL: func.func @one_row_block
// CHECK:       %[[N:.*]] = memref.dim %arg1, %c0
// CHECK:       %[[ROWS:.*]] = arith.muli %[[N]], %c4
// CHECK:       %[[LAST:.*]] = arith.addi %[[ROWS]], %c-1
// CHECK:       scf.for %{{.*}} = %c0 to %[[N]] step %c64 {
// CHECK:       scf.for %[[R0:.*]] = %{{.*}} to %{{.*}} step %c64 {
// CHECK:         vector.load %arg2[%c0, %c0, %c0]
// CHECK:         scf.for %[[R:.*]] = %[[R0]] to %{{.*}} step %c1 iter_args
// CHECK:           %[[IMG:.*]] = arith.divui %[[R]], %c4
// CHECK:           %[[I:.*]] = arith.remui %[[R]], %c4
// CHECK:           %[[AHEAD:.*]] = arith.addi %[[R]], %c64
// CHECK:           %[[CLAMPED:.*]] = arith.minui %[[AHEAD]], %[[LAST]]
// CHECK:           %[[IMG2:.*]] = arith.divui %[[CLAMPED]], %c4
// CHECK:           %[[I2:.*]] = arith.remui %[[CLAMPED]], %c4
// CHECK:           scf.for %[[J:.*]] = %c0 to %c4
// CHECK:             vector.load %arg1[%[[IMG]], %[[I]], %[[J]], %c0]
// CHECK:             vector.load %arg1[%[[IMG]], %[[I]], %[[J]], %c8]
// CHECK:             memref.prefetch %arg1[%[[IMG2]], %[[I2]], %[[J]], %c0], read
// CHECK:             memref.prefetch %arg1[%[[IMG2]], %[[I2]], %[[J]], %c8], read
// CHECK:             memref.load %arg0[%[[IMG]], %[[I]], %{{.*}}]
// CHECK:         vector.store %{{.*}}, %arg2[%c0, %c1, %c8]
// CHECK:         scf.for %[[A:.*]] = %c1 to %c3 step %c1 {
// CHECK-NOT:       memref.prefetch
// CHECK:           vector.store %{{.*}}, %arg2[%[[A]], %c1, %c8]
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NEXT:  } {nn.reduction_blocks}
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0 + d4, d5 * 2 + d1)>
#dy = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5, d2)>
#dw = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @one_row_block(%x: memref<?x6x8xf32>, %dy: memref<?x4x4x16xf32>, %dw: memref<3x2x16xf32>) {
  linalg.generic {indexing_maps = [#x, #dy, #dw], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : memref<?x6x8xf32>, memref<?x4x4x16xf32>) outs(%dw : memref<3x2x16xf32>) attrs = {nn.implicit_kernel_gradient = 2 : i64} {
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
// CHECK-SAME:  nn.implicit_kernel_gradient = 3
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0 + d4, d5 * 3 + d1)>
#dy = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5, d2)>
#dw = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @half(%x: memref<?x6x12xf16>, %dy: memref<?x4x3x20xf16>, %dw: memref<3x5x20xf16>) {
  linalg.generic {indexing_maps = [#x, #dy, #dw], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : memref<?x6x12xf16>, memref<?x4x3x20xf16>) outs(%dw : memref<3x5x20xf16>) attrs = {nn.implicit_kernel_gradient = 3 : i64} {
  ^bb0(%a: f16, %b: f16, %acc: f16):
    %p = arith.mulf %a, %b : f16
    %s = arith.addf %acc, %p : f16
    linalg.yield %s : f16
  }
  return
}

// -----

// The attribute is only a claim: a marked generic whose x map is not
// (n, i + a, j*C + q) for its C, or whose body is not a multiply-add,
// is left to the generic lowering.
// CHECK-LABEL: func.func @other_map
// CHECK:       linalg.generic
// CHECK-SAME:  nn.implicit_kernel_gradient = 3
// CHECK-LABEL: func.func @other_body
// CHECK:       linalg.generic
// CHECK-SAME:  nn.implicit_kernel_gradient = 3
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0 + d4, d5 * 2 + d1)>
#x3 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0 + d4, d5 * 3 + d1)>
#dy = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5, d2)>
#dw = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @other_map(%x: memref<?x6x12xf32>, %dy: memref<?x4x3x20xf32>, %dw: memref<3x5x20xf32>) {
  linalg.generic {indexing_maps = [#x, #dy, #dw], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : memref<?x6x12xf32>, memref<?x4x3x20xf32>) outs(%dw : memref<3x5x20xf32>) attrs = {nn.implicit_kernel_gradient = 3 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
func.func @other_body(%x: memref<?x6x12xf32>, %dy: memref<?x4x3x20xf32>, %dw: memref<3x5x20xf32>) {
  linalg.generic {indexing_maps = [#x3, #dy, #dw], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : memref<?x6x12xf32>, memref<?x4x3x20xf32>) outs(%dw : memref<3x5x20xf32>) attrs = {nn.implicit_kernel_gradient = 3 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.addf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
