// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s
// Softmax in the numerically stable form: the row maximum is subtracted
// before exp, then the exponentials are divided by their sum.

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK:       %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:       %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK:       %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[X]] : tensor<?x3xf32>) outs(%[[INIT]] : tensor<?xf32>)
// CHECK:         arith.maximumf
// CHECK:       %[[MAX2:.*]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] {{.*}} into tensor<?x1xf32>
// CHECK:       %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MAX2]] : tensor<?x3xf32>, tensor<?x1xf32>)
// CHECK:         %[[D:.*]] = arith.subf
// CHECK:         math.exp %[[D]]
// CHECK:       %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[EXP]] : tensor<?x3xf32>)
// CHECK:         arith.addf
// CHECK:       %[[SUM2:.*]] = tensor.expand_shape %[[SUM]]
// CHECK:       linalg.generic {{.*}} ins(%[[EXP]], %[[SUM2]] : tensor<?x3xf32>, tensor<?x1xf32>)
// CHECK:         arith.divf
func.func @softmax(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.softmax %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
