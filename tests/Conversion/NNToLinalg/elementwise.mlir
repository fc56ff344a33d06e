// RUN: nnc-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s
// Elementwise ops become one linalg.generic each; broadcasting is in the
// indexing maps and the dynamic batch size is read from an operand.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK:       %[[D:.*]] = tensor.dim %[[X]], %c0
// CHECK:       %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x8xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:    ins(%[[X]] : tensor<?x8xf32>) outs(%[[E]] : tensor<?x8xf32>)
// CHECK:       ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK:         %[[R:.*]] = arith.maximumf %[[IN]], %{{.*}} : f32
// CHECK:         linalg.yield %[[R]]
// CHECK-NOT:   nn.
func.func @relu(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = nn.relu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @bias_add
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK: arith.addf
func.func @bias_add(%x: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %0 = nn.bias_add %x, %b : tensor<?x8xf32>, tensor<8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// A scalar reads no index; a size-1 dimension stretched against a larger one
// reads index 0.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]
// CHECK:   math.powf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]]
// CHECK:   arith.subf
func.func @broadcast(%x: tensor<?x3xf32>, %s: tensor<f32>, %c: tensor<?x1xf32>) -> tensor<?x3xf32> {
  %0 = nn.pow %x, %s : tensor<?x3xf32>, tensor<f32>
  %1 = nn.sub %0, %c : tensor<?x3xf32>, tensor<?x1xf32>
  return %1 : tensor<?x3xf32>
}

// -----

// The scalar body of each op.
// CHECK-LABEL: func.func @bodies
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.absf
// CHECK: math.sin
// CHECK: math.cos
// CHECK: math.tanh
// Sigmoid is 1 / (1 + exp(-x)):
// CHECK: %[[N:.*]] = arith.negf
// CHECK: %[[E:.*]] = math.exp %[[N]]
// CHECK: %[[S:.*]] = arith.addf %{{.*}}, %[[E]]
// CHECK: arith.divf %{{.*}}, %[[S]]
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @bodies(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = nn.neg %x : tensor<4xf64>
  %1 = nn.exp %0 : tensor<4xf64>
  %2 = nn.log %1 : tensor<4xf64>
  %3 = nn.sqrt %2 : tensor<4xf64>
  %4 = nn.abs %3 : tensor<4xf64>
  %5 = nn.sin %4 : tensor<4xf64>
  %6 = nn.cos %5 : tensor<4xf64>
  %7 = nn.tanh %6 : tensor<4xf64>
  %8 = nn.sigmoid %7 : tensor<4xf64>
  %9 = nn.add %8, %x : tensor<4xf64>, tensor<4xf64>
  %10 = nn.mul %9, %x : tensor<4xf64>, tensor<4xf64>
  %11 = nn.div %10, %x : tensor<4xf64>, tensor<4xf64>
  %12 = nn.maximum %11, %x : tensor<4xf64>, tensor<4xf64>
  %13 = nn.minimum %12, %x : tensor<4xf64>, tensor<4xf64>
  return %13 : tensor<4xf64>
}

// -----

// ELU is x where x > 0, else expm1(x) (Keras' definition, alpha 1), with
// expm1 by Kahan's trick: (e^x - 1) x / log(e^x), x where e^x rounds to 1,
// -1 where e^x - 1 does.
// CHECK-LABEL: func.func @elu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[U:.*]] = math.exp %[[X]] : f32
// CHECK:   %[[UM1:.*]] = arith.subf %[[U]], %[[ONE:.*]] : f32
// CHECK:   %[[NUM:.*]] = arith.mulf %[[UM1]], %[[X]] : f32
// CHECK:   %[[LOG:.*]] = math.log %[[U]] : f32
// CHECK:   %[[K:.*]] = arith.divf %[[NUM]], %[[LOG]] : f32
// CHECK:   %[[ISONE:.*]] = arith.cmpf oeq, %[[U]], %[[ONE]] : f32
// CHECK:   %[[ISM1:.*]] = arith.cmpf oeq, %[[UM1]], %{{.*}} : f32
// CHECK:   %[[A:.*]] = arith.select %[[ISM1]], %[[UM1]], %[[K]] : f32
// CHECK:   %[[EM1:.*]] = arith.select %[[ISONE]], %[[X]], %[[A]] : f32
// CHECK:   %[[POS:.*]] = arith.cmpf ogt, %[[X]], %{{.*}} : f32
// CHECK:   %[[Y:.*]] = arith.select %[[POS]], %[[X]], %[[EM1]] : f32
// CHECK:   linalg.yield %[[Y]]
func.func @elu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.elu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
