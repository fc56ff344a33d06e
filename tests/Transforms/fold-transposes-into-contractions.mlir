// RUN: nnc-opt %s -nnc-fold-transposes-into-contractions -canonicalize -split-input-file | FileCheck %s

// dx = dy W^T and dW = x^T dy read W and x in place: each transposed operand
// is read through its map with the results swapped, and the transposes,
// now unused, are gone.
// CHECK-DAG: #[[IK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[JK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[KI:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[KJ:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[IJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @backward
// CHECK-NOT:     linalg.transpose
// CHECK:         linalg.generic {indexing_maps = [#[[IK]], #[[JK]], #[[IJ]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<?x8xf32>, tensor<4x8xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         linalg.generic {indexing_maps = [#[[KI]], #[[KJ]], #[[IJ]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg2, %arg0 : tensor<?x4xf32>, tensor<?x8xf32>)
// CHECK-NOT:     linalg.transpose
func.func @backward(%dy: tensor<?x8xf32>, %w: tensor<4x8xf32>, %x: tensor<?x4xf32>,
                    %dx0: tensor<?x4xf32>, %dw0: tensor<4x8xf32>)
    -> (tensor<?x4xf32>, tensor<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %we = tensor.empty() : tensor<8x4xf32>
  %wt = linalg.transpose ins(%w : tensor<4x8xf32>) outs(%we : tensor<8x4xf32>) permutation = [1, 0]
  %dx = linalg.matmul ins(%dy, %wt : tensor<?x8xf32>, tensor<8x4xf32>) outs(%dx0 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %xe = tensor.empty(%n) : tensor<4x?xf32>
  %xt = linalg.transpose ins(%x : tensor<?x4xf32>) outs(%xe : tensor<4x?xf32>) permutation = [1, 0]
  %dw = linalg.matmul ins(%xt, %dy : tensor<4x?xf32>, tensor<?x8xf32>) outs(%dw0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %dx, %dw : tensor<?x4xf32>, tensor<4x8xf32>
}

// -----

// A transpose that feeds something else is left alone.
// CHECK-LABEL: func.func @not_a_contraction
// CHECK:         linalg.transpose
func.func @not_a_contraction(%w: tensor<4x8xf32>) -> tensor<8x4xf32> {
  %e = tensor.empty() : tensor<8x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
  return %t : tensor<8x4xf32>
}
