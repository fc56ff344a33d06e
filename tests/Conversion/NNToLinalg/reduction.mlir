// RUN: nnc-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @sum
// CHECK: %[[Z:.*]] = linalg.fill ins(%cst : f32)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} {{.*}} outs(%[[Z]] : tensor<?x4xf32>)
// CHECK:   arith.addf
func.func @sum(%x: tensor<?x3x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.reduce_sum %x axes = [1] : tensor<?x3x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// The mean over everything divides by the element count, which includes the
// run-time batch size.
// CHECK-LABEL: func.func @mean
// CHECK-SAME: (%[[X:.*]]: tensor<?x2xf32>)
// CHECK:       %[[S:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<f32>)
// CHECK:       %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK:       %[[N0:.*]] = arith.muli %c1, %[[B]]
// CHECK:       %[[N1:.*]] = arith.muli %[[N0]], %{{.*}}
// CHECK:       %[[I:.*]] = arith.index_castui %[[N1]] : index to i64
// CHECK:       %[[F:.*]] = arith.uitofp %[[I]] : i64 to f32
// CHECK:       linalg.generic {{.*}} ins(%[[S]] : tensor<f32>)
// CHECK:         arith.divf %{{.*}}, %[[F]]
func.func @mean(%x: tensor<?x2xf32>) -> tensor<f32> {
  %0 = nn.reduce_mean %x : tensor<?x2xf32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @max_keepdims
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] {{.*}} : tensor<?x4xf32> into tensor<?x1x4xf32>
func.func @max_keepdims(%x: tensor<?x3x4xf32>) -> tensor<?x1x4xf32> {
  %0 = nn.reduce_max %x axes = [1] keepdims : tensor<?x3x4xf32>
  return %0 : tensor<?x1x4xf32>
}

// -----

// A bias gradient: summing (batch, h, w, c) over all but the contiguous last
// axis runs the reduced axes outermost, so the inner loop walks c through a
// row of accumulators; each sum keeps its (n, h, w) order.
// CHECK-DAG: #[[BIAS_IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BIAS_OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @bias_gradient
// CHECK: linalg.generic {indexing_maps = [#[[BIAS_IN]], #[[BIAS_OUT]]], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
func.func @bias_gradient(%x: tensor<?x5x5x8xf32>) -> tensor<8xf32> {
  %0 = nn.reduce_sum %x axes = [0, 1, 2] : tensor<?x5x5x8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Kept axes before the first reduced one stay outermost (parallel): summing
// (n, k, c) over k loops n, k, c.
// CHECK-DAG: #[[MID_OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @middle_axis
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[MID_OUT]]], iterator_types = ["parallel", "reduction", "parallel"]}
func.func @middle_axis(%x: tensor<?x5x8xf32>) -> tensor<?x8xf32> {
  %0 = nn.reduce_sum %x axes = [1] : tensor<?x5x8xf32>
  return %0 : tensor<?x8xf32>
}
