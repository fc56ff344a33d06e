// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s
// Convolutions become one matrix product over the windows laid out as rows
// (im2col): the padded operand (a fill and an insert_slice; strided for the
// input gradient), a copy of each window, and linalg.matmul on the
// collapsed views, which the contraction path then tiles and vectorizes.
// Without dilation along the width, the copy reads each window row's KW*C
// contiguous values with one index, from the input as [N, H, W*C].

// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 * 2 + d3, d2 * 6 + d4)>
// CHECK-DAG: #[[ID5:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[ID6:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (-d0 + 2, -d1 + 2, d3, d2)>
// CHECK-DAG: #[[UNIT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d3, d2 * 4 + d4)>
// CHECK-DAG: #[[DIL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3 * 2, d2 + d4 * 2, d5)>

// CHECK-LABEL: func.func @conv2d
// CHECK: %[[PAD:.*]] = linalg.fill {{.*}} -> tensor<?x9x9x3xf32>
// CHECK: %[[XP:.*]] = tensor.insert_slice %arg0 into %[[PAD]][0, 0, 0, 0] [%{{.*}}, 8, 8, 3] [1, 1, 1, 1]
// CHECK: %[[XF:.*]] = tensor.collapse_shape %[[XP]] {{\[\[}}0], [1], [2, 3]] : tensor<?x9x9x3xf32> into tensor<?x9x27xf32>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[WIN]], #[[ID5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[XF]] : tensor<?x9x27xf32>) outs(%{{.*}} : tensor<?x4x4x3x9xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0, 1, 2], [3, 4]] : tensor<?x4x4x3x9xf32> into tensor<?x27xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1, 2], [3]] : tensor<3x3x3x4xf32> into tensor<27x4xf32>
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[ROWS]], %[[W]] : tensor<?x27xf32>, tensor<27x4xf32>)
// CHECK: tensor.expand_shape %[[Y]] {{\[\[}}0, 1, 2], [3]] output_shape [%{{.*}}, 4, 4, 4] : tensor<?x4xf32> into tensor<?x4x4x4xf32>
func.func @conv2d(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = nn.conv2d %x, %w strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// The gradient spread by the stride into rows 2, 4, 6, 8 of 10 ((KH-1) less
// the top padding before), its stride-1 windows, and the kernel flipped.
// CHECK-LABEL: func.func @backprop_input
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<?x10x10x4xf32>
// CHECK: %[[DYP:.*]] = tensor.insert_slice %arg0 into %[[Z]][0, 2, 2, 0] [%{{.*}}, 4, 4, 4] [1, 2, 2, 1]
// CHECK: %[[WF:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}]{{.*}} ins(%arg1 : tensor<3x3x3x4xf32>) outs(%{{.*}} : tensor<3x3x4x3xf32>)
// CHECK: %[[DYF:.*]] = tensor.collapse_shape %[[DYP]] {{.*}} : tensor<?x10x10x4xf32> into tensor<?x10x40xf32>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[UNIT]], #[[ID5]]]{{.*}} ins(%[[DYF]] : tensor<?x10x40xf32>) outs(%{{.*}} : tensor<?x8x8x3x12xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[P]] {{.*}} into tensor<?x36xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %[[WF]] {{.*}} into tensor<36x3xf32>
// CHECK: linalg.matmul ins(%[[ROWS]], %[[W]] : tensor<?x36xf32>, tensor<36x3xf32>)
func.func @backprop_input(%dy: tensor<?x4x4x4xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x8x8x3xf32> {
  %0 = nn.conv2d_backprop_input %dy, %w input_size = [8, 8] strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x4x4x4xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x8x8x3xf32>
}

// Unit strides: G = dy @ w^T (no window copy), then each of the 3 x 2
// kernel taps' slices of G added into the padded input's gradient at the
// tap's offset (a, 2b: dilations [1, 2]); the padding is cut off last.
// CHECK-LABEL: func.func @backprop_input_unit_strides
// CHECK-NOT: tensor<?x36xf32>
// CHECK: %[[DY:.*]] = tensor.collapse_shape %arg0 {{.*}} into tensor<?x4xf32>
// CHECK: %[[WM:.*]] = tensor.collapse_shape %arg1 {{.*}} into tensor<18x4xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[WM]] : tensor<18x4xf32>) outs(%{{.*}} : tensor<4x18xf32>) permutation = [1, 0]
// CHECK: %[[G:.*]] = linalg.matmul ins(%[[DY]], %[[WT]] : tensor<?x4xf32>, tensor<4x18xf32>)
// CHECK: %[[G6:.*]] = tensor.expand_shape %[[G]] {{.*}} : tensor<?x18xf32> into tensor<?x6x4x3x2x3xf32>
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<?x8x6x3xf32>
// CHECK: %[[T0:.*]] = tensor.extract_slice %[[G6]][0, 0, 0, 0, 0, 0] [%{{.*}}, 6, 4, 1, 1, 3] [1, 1, 1, 1, 1, 1] : tensor<?x6x4x3x2x3xf32> to tensor<?x6x4x3xf32>
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[Z]][0, 0, 0, 0] [%{{.*}}, 6, 4, 3]
// CHECK: %[[S0:.*]] = linalg.generic {{.*}} ins(%[[T0]] : tensor<?x6x4x3xf32>) outs(%[[P0]] : tensor<?x6x4x3xf32>)
// CHECK:   arith.addf
// CHECK: %[[D0:.*]] = tensor.insert_slice %[[S0]] into %[[Z]][0, 0, 0, 0] [%{{.*}}, 6, 4, 3]
// CHECK: tensor.extract_slice %[[G6]][0, 0, 0, 0, 1, 0]
// CHECK: tensor.extract_slice %[[D0]][0, 0, 2, 0] [%{{.*}}, 6, 4, 3]
// CHECK-COUNT-4: tensor.insert_slice
// CHECK: %[[LAST:.*]] = tensor.insert_slice %{{.*}}[0, 2, 2, 0] [%{{.*}}, 6, 4, 3]
// CHECK: tensor.extract_slice %[[LAST]][0, 1, 1, 0] [%{{.*}}, 6, 4, 3] [1, 1, 1, 1] : tensor<?x8x6x3xf32> to tensor<?x6x4x3xf32>
func.func @backprop_input_unit_strides(%dy: tensor<?x6x4x4xf32>, %w: tensor<3x2x3x4xf32>) -> tensor<?x6x4x3xf32> {
  %0 = nn.conv2d_backprop_input %dy, %w input_size = [6, 4] strides = [1, 1] dilations = [1, 2] padding = [1, 1, 1, 1] : tensor<?x6x4x4xf32>, tensor<3x2x3x4xf32>
  return %0 : tensor<?x6x4x3xf32>
}

// dw = P^T dy: the transpose, which fold-transposes-into-contractions later
// reads in place.
// CHECK-LABEL: func.func @backprop_filter
// CHECK: %[[DY:.*]] = tensor.collapse_shape %arg1 {{.*}} into tensor<?x4xf32>
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape {{.*}} into tensor<?x27xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[ROWS]] : tensor<?x27xf32>) outs(%{{.*}} : tensor<27x?xf32>) permutation = [1, 0]
// CHECK: %[[DW:.*]] = linalg.matmul ins(%[[T]], %[[DY]] : tensor<27x?xf32>, tensor<?x4xf32>)
// CHECK: tensor.expand_shape %[[DW]] {{.*}} output_shape [3, 3, 3, 4] : tensor<27x4xf32> into tensor<3x3x3x4xf32>
func.func @backprop_filter(%x: tensor<?x8x8x3xf32>, %dy: tensor<?x4x4x4xf32>) -> tensor<3x3x3x4xf32> {
  %0 = nn.conv2d_backprop_filter %x, %dy kernel_size = [3, 3] strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x8x8x3xf32>, tensor<?x4x4x4xf32>
  return %0 : tensor<3x3x3x4xf32>
}

// No padding: the windows are read from x itself. Dilated along the width,
// a window row is not contiguous: the copy goes value by value.
// CHECK-LABEL: func.func @dilated
// CHECK-NOT: tensor.insert_slice
// CHECK: linalg.generic {indexing_maps = [#[[DIL]], #[[ID6]]]{{.*}} ins(%arg0 : tensor<?x8x8x3xf32>)
func.func @dilated(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// A 1x1 kernel with unit strides: the rows are x itself, no copy.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT: linalg.generic
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %arg0 {{.*}} : tensor<?x8x8x3xf32> into tensor<?x3xf32>
// CHECK: linalg.matmul ins(%[[ROWS]], %{{.*}} : tensor<?x3xf32>, tensor<3x4xf32>)
func.func @pointwise(%x: tensor<?x8x8x3xf32>, %w: tensor<1x1x3x4xf32>) -> tensor<?x8x8x4xf32> {
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<1x1x3x4xf32>
  return %0 : tensor<?x8x8x4xf32>
}
