// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s
// Pooling reads its padded input at (n, i*s + a, j*s + b, c) over a [KH, KW]
// shape-only operand (loops n, i, j, a, b, c: channels innermost); the
// padding holds the reduction's identity.

// CHECK-DAG: #[[TAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[POS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-DAG: #[[COUNTS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, 0)>
// CHECK-DAG: #[[NEAREST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 2, d2 floordiv 3, d3)>

// CHECK-LABEL: func.func @max_same
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEG]] : f32) {{.*}} -> tensor<?x6x6x2xf32>
// CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[TAP]], #[[WIN]], #[[POS]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}{{.*}}%[[WINDOW]]
// CHECK: arith.maximumf
func.func @max_same(%x: tensor<?x5x5x2xf32>) -> tensor<?x3x3x2xf32> {
  %0 = nn.pool2d %x kind = "max" window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<?x5x5x2xf32>
  return %0 : tensor<?x3x3x2xf32>
}

// Same padding: each average divides by its real elements (4, 2 or 1).
// CHECK-LABEL: func.func @avg_same
// CHECK: arith.addf
// CHECK: arith.constant dense<{{\[\[\[}}4.000000e+00], [4.000000e+00], [2.000000e+00]], {{\[\[}}4.000000e+00], [4.000000e+00], [2.000000e+00]], {{\[\[}}2.000000e+00], [2.000000e+00], [1.000000e+00]]]> : tensor<3x3x1xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[COUNTS]], #{{.*}}]
// CHECK: arith.divf
func.func @avg_same(%x: tensor<?x5x5x2xf32>) -> tensor<?x3x3x2xf32> {
  %0 = nn.pool2d %x kind = "avg" window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<?x5x5x2xf32>
  return %0 : tensor<?x3x3x2xf32>
}

// CHECK-LABEL: func.func @avg_valid
// CHECK-NOT: tensor.insert_slice
// CHECK: arith.constant dense<4.000000e+00> : tensor<f32>
// CHECK: arith.divf
func.func @avg_valid(%x: tensor<?x4x4x2xf32>) -> tensor<?x2x2x2xf32> {
  %0 = nn.pool2d %x kind = "avg" window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<?x4x4x2xf32>
  return %0 : tensor<?x2x2x2xf32>
}

// First the tap of each window's first maximum (strict comparison), then a
// gather from the input's side: the window whose tap lands here must exist
// and have recorded this tap.
// CHECK-LABEL: func.func @max_grad
// CHECK: %[[TAPS:.*]]:2 = linalg.generic {indexing_maps = [#[[TAP]], #[[WIN]], #[[POS]], #[[POS]]]
// CHECK: arith.cmpf ogt
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i32
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], #[[POS]]]
// CHECK: arith.remsi
// CHECK: %[[G:.*]] = tensor.extract %arg1
// CHECK: %[[REC:.*]] = tensor.extract %[[TAPS]]#1
// CHECK: arith.cmpi eq, %{{.*}}, %[[REC]] : i32
// CHECK: arith.select %{{.*}}, %[[G]]
func.func @max_grad(%x: tensor<?x4x4x2xf32>, %dy: tensor<?x2x2x2xf32>) -> tensor<?x4x4x2xf32> {
  %0 = nn.pool2d_grad %x, %dy kind = "max" window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<?x4x4x2xf32>, tensor<?x2x2x2xf32>
  return %0 : tensor<?x4x4x2xf32>
}

// CHECK-LABEL: func.func @min_gather
// CHECK: %[[R:.*]]:3 = linalg.generic {indexing_maps = [#[[TAP]], #[[TAP]], #[[WIN]], #[[POS]], #[[POS]], #[[POS]]]
// CHECK: arith.cmpf olt
// CHECK: return %[[R]]#2
func.func @min_gather(%x: tensor<?x4x4x2xf32>, %g: tensor<?x4x4x2xf32>) -> tensor<?x2x2x2xf32> {
  %0 = nn.pool2d_gather %x, %g kind = "min" window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<?x4x4x2xf32>, tensor<?x4x4x2xf32>
  return %0 : tensor<?x2x2x2xf32>
}

// CHECK-LABEL: func.func @upsample
// CHECK: linalg.generic {indexing_maps = [#[[NEAREST]], #{{.*}}]
func.func @upsample(%x: tensor<?x2x3x2xf32>) -> tensor<?x4x9x2xf32> {
  %0 = nn.upsample2d %x size = [2, 3] : tensor<?x2x3x2xf32>
  return %0 : tensor<?x4x9x2xf32>
}

// CHECK-LABEL: func.func @crop
// CHECK: tensor.extract_slice %arg0[0, 1, 0, 0] [%{{.*}}, 3, 5, 2] [1, 1, 1, 1]
func.func @crop(%x: tensor<?x6x6x2xf32>) -> tensor<?x3x5x2xf32> {
  %0 = nn.crop2d %x cropping = [1, 2, 0, 1] : tensor<?x6x6x2xf32>
  return %0 : tensor<?x3x5x2xf32>
}
