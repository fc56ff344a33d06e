// RUN: nnc-opt %s --convert-nn-to-linalg="implicit-convolutions=1" | FileCheck %s
// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s --check-prefix=IM2COL

// With implicit-convolutions (the CPU pipeline), a unit-stride, undilated
// convolution reads the padded input in place: one generic over
// (n, i, j, f, a, q), x as [N, Hp, Wp*C] at (n, i + a, j*C + q), the kernel
// as [KH, KW*C, F] at (a, q, f), y [N, OH, OW, F] zero-filled; marked with
// C for nnc-lower-implicit-convolutions.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 3 + d5)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (-d0 + 2, -d1 + 2, d3, d2)>
// CHECK-DAG: #[[DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 * 4 + d5)>
// CHECK-LABEL: func.func @unit_strides
// CHECK-NOT:   linalg.matmul
// CHECK:       %[[XP:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 1, 1, 0] [%{{.*}}, 6, 5, 3]
// CHECK:       %[[FLAT:.*]] = tensor.collapse_shape %[[XP]] {{\[}}[0], [1], [2, 3]] : tensor<?x8x7x3xf32> into tensor<?x8x21xf32>
// CHECK:       %[[K:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2], [3]] : tensor<3x3x3x4xf32> into tensor<3x9x4xf32>
// CHECK:       %[[N:.*]] = tensor.dim %arg0, %{{.*}}
// CHECK:       %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x6x5x4xf32>
// CHECK:       %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x6x5x4xf32>)
// CHECK:       %[[G:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[FLAT]], %[[K]] : tensor<?x8x21xf32>, tensor<3x9x4xf32>) outs(%[[Z]] : tensor<?x6x5x4xf32>)
// CHECK-SAME:    attrs =  {nn.implicit_convolution = 3 : i64}
// CHECK:         %[[P:.*]] = arith.mulf
// CHECK:         arith.addf %{{.*}}, %[[P]]
// CHECK:       return %[[G]]
// Without the option (the GPU pipeline): the window copy and a product.
// IM2COL-LABEL: func.func @unit_strides
// IM2COL-NOT:   nn.implicit_convolution
// IM2COL:       linalg.matmul
func.func @unit_strides(%x: tensor<?x6x5x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x6x5x4xf32> {
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<?x6x5x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x6x5x4xf32>
}

// Strides or dilations keep the window copy and the product; so does a 1x1
// kernel, whose product reads x in place already.
// CHECK-LABEL: func.func @strided
// CHECK-NOT:   nn.implicit_convolution
// CHECK:       linalg.matmul
func.func @strided(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = nn.conv2d %x, %w strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// CHECK-LABEL: func.func @dilated
// CHECK-NOT:   nn.implicit_convolution
// CHECK:       linalg.matmul
func.func @dilated(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// CHECK-LABEL: func.func @one_by_one
// CHECK-NOT:   nn.implicit_convolution
// CHECK:       linalg.matmul
func.func @one_by_one(%x: tensor<?x8x8x3xf32>, %w: tensor<1x1x3x4xf32>) -> tensor<?x8x8x4xf32> {
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<1x1x3x4xf32>
  return %0 : tensor<?x8x8x4xf32>
}

// The input gradient of a unit-stride, undilated convolution is the
// implicit convolution of dy, padded by the kernel's reach (2) less the
// forward padding, with the kernel flipped and transposed
// (w'[a, b, f, c] = w[2-a, 2-b, c, f], as [KH, KW*F, C]); dy has F = 4
// channels. Without the option: G = dy @ w^T and one accumulation per tap.
// CHECK-LABEL: func.func @input_gradient
// CHECK:       %[[DYP:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 2, 2, 0] [%{{.*}}, 4, 3, 4]
// CHECK:       %[[WF:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], {{.*}}]} ins(%arg1 : tensor<3x3x2x4xf32>) outs(%{{.*}} : tensor<3x3x4x2xf32>)
// CHECK:       %[[FLAT:.*]] = tensor.collapse_shape %[[DYP]] {{\[}}[0], [1], [2, 3]] : tensor<?x8x7x4xf32> into tensor<?x8x28xf32>
// CHECK:       %[[K:.*]] = tensor.collapse_shape %[[WF]] {{\[}}[0], [1, 2], [3]] : tensor<3x3x4x2xf32> into tensor<3x12x2xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[DY]], {{.*}}]
// CHECK-SAME:    ins(%[[FLAT]], %[[K]] : tensor<?x8x28xf32>, tensor<3x12x2xf32>) outs(%{{.*}} : tensor<?x6x5x2xf32>)
// CHECK-SAME:    attrs =  {nn.implicit_convolution = 4 : i64}
// IM2COL-LABEL: func.func @input_gradient
// IM2COL-NOT:   nn.implicit_convolution
// IM2COL:       linalg.matmul
func.func @input_gradient(%dy: tensor<?x4x3x4xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<?x6x5x2xf32> {
  %0 = nn.conv2d_backprop_input %dy, %w input_size = [6, 5] strides = [1, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x4x3x4xf32>, tensor<3x3x2x4xf32>
  return %0 : tensor<?x6x5x2xf32>
}

// Strided, the windows of the spread dy times the flipped kernel remain.
// CHECK-LABEL: func.func @strided_input_gradient
// CHECK-NOT:   nn.implicit_convolution
// CHECK:       linalg.matmul
func.func @strided_input_gradient(%dy: tensor<?x4x4x4xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<?x8x8x3xf32> {
  %0 = nn.conv2d_backprop_input %dy, %w input_size = [8, 8] strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x4x4x4xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<?x8x8x3xf32>
}
