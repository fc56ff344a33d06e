// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x8xf32>)
// CHECK:       %[[D:.*]] = tensor.dim %[[X]], %c0
// CHECK:       %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x8xf32>
// CHECK:       %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x8xf32>)
// CHECK:       %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x4xf32>, tensor<4x8xf32>) outs(%[[Z]] : tensor<?x8xf32>)
// CHECK:       return %[[M]]
func.func @matmul(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>) -> tensor<?x8xf32> {
  %0 = nn.matmul %x, %w : tensor<?x4xf32>, tensor<4x8xf32>
  return %0 : tensor<?x8xf32>
}
