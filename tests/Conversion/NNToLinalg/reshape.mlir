// RUN: nnc-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @flatten
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<?x28x28x1xf32> into tensor<?x784xf32>
func.func @flatten(%x: tensor<?x28x28x1xf32>) -> tensor<?x784xf32> {
  %0 = nn.reshape %x : tensor<?x28x28x1xf32> -> tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// -----

// CHECK-LABEL: func.func @unflatten
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] {{.*}} : tensor<?x6xf32> into tensor<?x2x3xf32>
func.func @unflatten(%x: tensor<?x6xf32>) -> tensor<?x2x3xf32> {
  %0 = nn.reshape %x : tensor<?x6xf32> -> tensor<?x2x3xf32>
  return %0 : tensor<?x2x3xf32>
}

// -----

// Same rank, other grouping: through (batch, elements).
// CHECK-LABEL: func.func @regroup
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<?x2x3xf32> into tensor<?x6xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0], [1, 2]] {{.*}} : tensor<?x6xf32> into tensor<?x3x2xf32>
func.func @regroup(%x: tensor<?x2x3xf32>) -> tensor<?x3x2xf32> {
  %0 = nn.reshape %x : tensor<?x2x3xf32> -> tensor<?x3x2xf32>
  return %0 : tensor<?x3x2xf32>
}
