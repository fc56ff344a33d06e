// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s
// Convolutions: the padded operand (a zero fill and an insert_slice; strided
// for the input gradient) and one generic whose maps hold the window
// arithmetic: no im2col buffer.

// CHECK-DAG: #[[CONV:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d6)>
// CHECK-DAG: #[[KERNEL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[FLIPPED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 - d4 + 2, d2 - d5 + 2, d6)>
// CHECK-DAG: #[[KERNEL_T:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d3, d6)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d0, d6 * 2 + d1, d2)>
// CHECK-DAG: #[[DILATED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d4 * 2, d2 + d5 * 2, d6)>

// CHECK-LABEL: func.func @conv2d
// CHECK: %[[PAD:.*]] = linalg.fill {{.*}} -> tensor<?x9x9x3xf32>
// CHECK: %[[XP:.*]] = tensor.insert_slice %arg0 into %[[PAD]][0, 0, 0, 0] [%{{.*}}, 8, 8, 3] [1, 1, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[CONV]], #[[KERNEL]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XP]], %arg1
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @conv2d(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = nn.conv2d %x, %w strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// The gradient spread by the stride into rows 2, 4, 6, 8 of 10: (KH-1) - top
// padding before, the kernel read flipped.
// CHECK-LABEL: func.func @backprop_input
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<?x10x10x4xf32>
// CHECK: %[[DYP:.*]] = tensor.insert_slice %arg0 into %[[Z]][0, 2, 2, 0] [%{{.*}}, 4, 4, 4] [1, 2, 2, 1]
// CHECK: linalg.generic {indexing_maps = [#[[FLIPPED]], #[[KERNEL_T]], #[[OUT]]]{{.*}} ins(%[[DYP]], %arg1 : tensor<?x10x10x4xf32>, tensor<3x3x3x4xf32>) outs({{.*}} : tensor<?x8x8x3xf32>)
func.func @backprop_input(%dy: tensor<?x4x4x4xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x8x8x3xf32> {
  %0 = nn.conv2d_backprop_input %dy, %w input_size = [8, 8] strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x4x4x4xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x8x8x3xf32>
}

// CHECK-LABEL: func.func @backprop_filter
// CHECK: linalg.generic {indexing_maps = [#[[FILTER]], #[[KERNEL]], #[[OUT]]]{{.*}} outs({{.*}} : tensor<3x3x3x4xf32>)
func.func @backprop_filter(%x: tensor<?x8x8x3xf32>, %dy: tensor<?x4x4x4xf32>) -> tensor<3x3x3x4xf32> {
  %0 = nn.conv2d_backprop_filter %x, %dy kernel_size = [3, 3] strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x8x8x3xf32>, tensor<?x4x4x4xf32>
  return %0 : tensor<3x3x3x4xf32>
}

// No padding: no copy.
// CHECK-LABEL: func.func @dilated
// CHECK-NOT: tensor.insert_slice
// CHECK: linalg.generic {indexing_maps = [#[[DILATED]], #[[KERNEL]], #[[OUT]]]{{.*}} ins(%arg0, %arg1
func.func @dilated(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}
