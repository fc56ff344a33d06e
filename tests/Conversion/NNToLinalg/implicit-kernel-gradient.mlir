// RUN: nnc-opt %s --convert-nn-to-linalg="implicit-kernel-gradients=1" | FileCheck %s
// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s --check-prefix=IM2COL

// With implicit-kernel-gradients (the CPU pipeline), a unit-stride,
// undilated kernel gradient reads the padded input in place: one generic
// over (a, q, f, n, i, j), x as [N, Hp, Wp*C] at (n, i + a, j*C + q), dy at
// (n, i, j, f), dw as [KH, KW*C, F], zero-filled; marked with C for
// nnc-lower-implicit-kernel-gradients.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0 + d4, d5 * 3 + d1)>
// CHECK-DAG: #[[DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5, d2)>
// CHECK-DAG: #[[DW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @unit_strides
// CHECK-NOT:   linalg.matmul
// CHECK:       %[[XP:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 1, 1, 0] [%{{.*}}, 6, 5, 3]
// CHECK:       %[[FLAT:.*]] = tensor.collapse_shape %[[XP]] {{\[}}[0], [1], [2, 3]] : tensor<?x8x7x3xf32> into tensor<?x8x21xf32>
// CHECK:       %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3x9x4xf32>)
// CHECK:       %[[G:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[DW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[FLAT]], %arg1 : tensor<?x8x21xf32>, tensor<?x6x5x4xf32>) outs(%[[Z]] : tensor<3x9x4xf32>)
// CHECK-SAME:    attrs =  {nn.implicit_kernel_gradient = 3 : i64}
// CHECK:         %[[P:.*]] = arith.mulf
// CHECK:         arith.addf %{{.*}}, %[[P]]
// CHECK:       tensor.expand_shape %[[G]] {{\[}}[0], [1, 2], [3]] output_shape [3, 3, 3, 4] : tensor<3x9x4xf32> into tensor<3x3x3x4xf32>
// Without the option (the GPU pipeline): the window copy and a product.
// IM2COL-LABEL: func.func @unit_strides
// IM2COL-NOT:   nn.implicit_kernel_gradient
// IM2COL:       linalg.matmul
func.func @unit_strides(%x: tensor<?x6x5x3xf32>, %dy: tensor<?x6x5x4xf32>) -> tensor<3x3x3x4xf32> {
  %0 = nn.conv2d_backprop_filter %x, %dy kernel_size = [3, 3] strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<?x6x5x3xf32>, tensor<?x6x5x4xf32>
  return %0 : tensor<3x3x3x4xf32>
}

// Strides or dilations keep the window copy and the product.
// CHECK-LABEL: func.func @strided
// CHECK-NOT:   nn.implicit_kernel_gradient
// CHECK:       linalg.matmul
func.func @strided(%x: tensor<?x8x8x3xf32>, %dy: tensor<?x4x4x4xf32>) -> tensor<3x3x3x4xf32> {
  %0 = nn.conv2d_backprop_filter %x, %dy kernel_size = [3, 3] strides = [2, 2] dilations = [1, 1] padding = [0, 1, 0, 1] : tensor<?x8x8x3xf32>, tensor<?x4x4x4xf32>
  return %0 : tensor<3x3x3x4xf32>
}

// CHECK-LABEL: func.func @dilated
// CHECK-NOT:   nn.implicit_kernel_gradient
// CHECK:       linalg.matmul
func.func @dilated(%x: tensor<?x8x8x3xf32>, %dy: tensor<?x4x4x4xf32>) -> tensor<3x3x3x4xf32> {
  %0 = nn.conv2d_backprop_filter %x, %dy kernel_size = [3, 3] strides = [1, 1] dilations = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<?x4x4x4xf32>
  return %0 : tensor<3x3x3x4xf32>
}
