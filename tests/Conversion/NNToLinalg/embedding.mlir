// RUN: nnc-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// The lookup is a parallel generic over the result reading its id: the id
// names a row when -1 < id < vocabulary (truncated toward zero), the row is
// read with tensor.extract, and anything else gives NaN.
// CHECK-DAG: #[[IDS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @lookup
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[DIM]]) : tensor<?x3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IDS]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<?x3xf32>) outs(%[[E]]
// CHECK: ^bb0(%[[ID:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %[[ID]], %cst
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[ID]], %cst_0
// CHECK: %[[IN:.*]] = arith.andi %[[ABOVE]], %[[BELOW]]
// CHECK: %[[SAFE:.*]] = arith.select %[[IN]], %[[ID]]
// CHECK: %[[ROW:.*]] = arith.fptosi %[[SAFE]] : f32 to i64
// CHECK: %[[R:.*]] = arith.index_cast %[[ROW]]
// CHECK: %[[F:.*]] = linalg.index 2
// CHECK: %[[V:.*]] = tensor.extract %arg1[%[[R]], %[[F]]] : tensor<10x4xf32>
// CHECK: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK: arith.select %[[IN]], %[[V]], %[[NAN]]
func.func @lookup(%ids: tensor<?x3xf32>, %t: tensor<10x4xf32>) -> tensor<?x3x4xf32> {
  %y = nn.embedding %ids, %t : tensor<?x3xf32>, tensor<10x4xf32>
  return %y : tensor<?x3x4xf32>
}

// -----

// The table gradient: a zeroed table, then one serial loop over the
// positions (ids and dy collapsed to [P] and [P, features]) adding each
// in-table position's dy row into its id's row, in position order.
// CHECK-LABEL: func.func @table_gradient
// CHECK: %[[IDS:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1]] : tensor<?x3xf32> into tensor<?xf32>
// CHECK: %[[DY:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2]] : tensor<?x3x4xf32> into tensor<?x4xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<10x4xf32>)
// CHECK: %[[P:.*]] = tensor.dim %[[IDS]], %c0
// CHECK: scf.for %[[I:.*]] = %c0 to %[[P]] step %c1 iter_args(%[[ACC:.*]] = %[[Z]]) -> (tensor<10x4xf32>)
// CHECK:   %[[ID:.*]] = tensor.extract %[[IDS]][%[[I]]]
// CHECK:   scf.if %{{.*}} -> (tensor<10x4xf32>)
// CHECK:     scf.for %[[F:.*]] = %c0 to %c4 step %c1 iter_args(%[[A:.*]] = %[[ACC]])
// CHECK:       %[[G:.*]] = tensor.extract %[[DY]][%[[I]], %[[F]]]
// CHECK:       %[[OLD:.*]] = tensor.extract %[[A]][%[[ROW:.*]], %[[F]]]
// CHECK:       %[[SUM:.*]] = arith.addf %[[OLD]], %[[G]]
// CHECK:       tensor.insert %[[SUM]] into %[[A]][%[[ROW]], %[[F]]]
// CHECK:   } else {
// CHECK:     scf.yield %[[ACC]]
func.func @table_gradient(%ids: tensor<?x3xf32>, %dy: tensor<?x3x4xf32>) -> tensor<10x4xf32> {
  %g = nn.embedding_grad %ids, %dy vocabulary = 10 : tensor<?x3xf32>, tensor<?x3x4xf32>
  return %g : tensor<10x4xf32>
}
