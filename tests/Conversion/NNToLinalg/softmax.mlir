// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s
// Softmax in the numerically stable form: the row maximum is subtracted
// before exp, then the exponentials are divided by their sum. The row
// statistics are read through maps that drop the reduced axis (no reshape in
// between), which lets nnc-tile-and-fuse-reductions fuse all four steps.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK:       %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:       %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK:       %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[X]] : tensor<?x3xf32>) outs(%[[INIT]] : tensor<?xf32>)
// CHECK:         arith.maximumf
// CHECK-NOT:   tensor.expand_shape
// CHECK:       %[[EXP:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]{{.*}} ins(%[[X]], %[[MAX]] : tensor<?x3xf32>, tensor<?xf32>)
// CHECK:         %[[D:.*]] = arith.subf
// CHECK:         math.exp %[[D]]
// CHECK:       %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[EXP]] : tensor<?x3xf32>)
// CHECK:         arith.addf
// CHECK:       linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]{{.*}} ins(%[[EXP]], %[[SUM]] : tensor<?x3xf32>, tensor<?xf32>)
// CHECK:         arith.divf
func.func @softmax(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.softmax %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
