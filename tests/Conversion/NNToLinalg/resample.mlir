// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s

// The matrix becomes a constant in the element type, read at (i, p); x is
// read with the axis replaced by p, the reduction loop, which comes last;
// the result starts from zeros.
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d4)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @resample
// CHECK: %[[M:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00], [5.000000e-01, 5.000000e-01], [0.000000e+00, 1.000000e+00]]> : tensor<3x2xf32>
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[DIM]]) : tensor<?x4x3x1xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]]
// CHECK: linalg.generic {indexing_maps = [#[[W]], #[[X]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[M]], %arg0 : tensor<3x2xf32>, tensor<?x4x2x1xf32>) outs(%[[Z]]
// CHECK: %[[P:.*]] = arith.mulf %in, %in_{{.*}}
// CHECK: arith.addf %out, %[[P]]
func.func @resample(%x: tensor<?x4x2x1xf32>) -> tensor<?x4x3x1xf32> {
  %0 = nn.resample %x axis = 2 weights = dense<[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]> : tensor<3x2xf64> : tensor<?x4x2x1xf32>
  return %0 : tensor<?x4x3x1xf32>
}
