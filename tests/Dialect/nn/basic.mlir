// RUN: nnc-opt %s | FileCheck %s
// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s
// Every op parses, verifies, infers its result type and prints back in its
// custom form (also through the generic form).

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x8xf32>, %b: tensor<8xf32>, %s: tensor<f32>) -> tensor<?x8xf32> {
  // CHECK: nn.neg %{{.*}} : tensor<?x8xf32>
  %0 = nn.neg %x : tensor<?x8xf32>
  // CHECK: nn.exp
  %1 = nn.exp %0 : tensor<?x8xf32>
  // CHECK: nn.log
  %2 = nn.log %1 : tensor<?x8xf32>
  // CHECK: nn.sqrt
  %3 = nn.sqrt %2 : tensor<?x8xf32>
  // CHECK: nn.abs
  %4 = nn.abs %3 : tensor<?x8xf32>
  // CHECK: nn.sin
  %5 = nn.sin %4 : tensor<?x8xf32>
  // CHECK: nn.cos
  %6 = nn.cos %5 : tensor<?x8xf32>
  // CHECK: nn.relu
  %7 = nn.relu %6 : tensor<?x8xf32>
  // CHECK: nn.sigmoid
  %8 = nn.sigmoid %7 : tensor<?x8xf32>
  // CHECK: nn.tanh
  %9 = nn.tanh %8 : tensor<?x8xf32>
  // CHECK: nn.softmax %{{.*}} {axis = 0 : i64} : tensor<?x8xf32>
  %10 = nn.softmax %9 {axis = 0} : tensor<?x8xf32>
  // Broadcasting: a row vector and a scalar stretch to the batch.
  // CHECK: nn.add %{{.*}}, %{{.*}} : tensor<?x8xf32>, tensor<8xf32>
  %11 = nn.add %10, %b : tensor<?x8xf32>, tensor<8xf32>
  // CHECK: nn.sub %{{.*}}, %{{.*}} : tensor<f32>, tensor<?x8xf32>
  %12 = nn.sub %s, %11 : tensor<f32>, tensor<?x8xf32>
  %13 = nn.mul %12, %12 : tensor<?x8xf32>, tensor<?x8xf32>
  %14 = nn.div %13, %s : tensor<?x8xf32>, tensor<f32>
  %15 = nn.pow %14, %s : tensor<?x8xf32>, tensor<f32>
  %16 = nn.maximum %15, %b : tensor<?x8xf32>, tensor<8xf32>
  // CHECK: nn.minimum {{.*}} : tensor<?x8xf32>, tensor<8xf32>
  %17 = nn.minimum %16, %b : tensor<?x8xf32>, tensor<8xf32>
  return %17 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @broadcast_result_types
func.func @broadcast_result_types(%a: tensor<?x1xf64>, %b: tensor<1x5xf64>, %c: tensor<3x1x5xf64>) -> (tensor<?x5xf64>, tensor<3x1x5xf64>) {
  // The inferred types are what the function returns.
  %0 = nn.mul %a, %b : tensor<?x1xf64>, tensor<1x5xf64>
  %1 = nn.add %c, %b : tensor<3x1x5xf64>, tensor<1x5xf64>
  return %0, %1 : tensor<?x5xf64>, tensor<3x1x5xf64>
}

// CHECK-LABEL: func.func @dense
func.func @dense(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  // CHECK: %[[M:.*]] = nn.matmul %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<4x8xf32>
  %0 = nn.matmul %x, %w : tensor<?x4xf32>, tensor<4x8xf32>
  // CHECK: nn.bias_add %[[M]], %{{.*}} : tensor<?x8xf32>, tensor<8xf32>
  %1 = nn.bias_add %0, %b : tensor<?x8xf32>, tensor<8xf32>
  return %1 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<?x3x4xf32>) -> (tensor<?x4xf32>, tensor<?x1x4xf32>, tensor<f32>) {
  // CHECK: nn.reduce_sum %{{.*}} axes = [1] : tensor<?x3x4xf32>
  %0 = nn.reduce_sum %x axes = [1] : tensor<?x3x4xf32>
  // CHECK: nn.reduce_max %{{.*}} axes = [-2] keepdims : tensor<?x3x4xf32>
  %1 = nn.reduce_max %x axes = [-2] keepdims : tensor<?x3x4xf32>
  // CHECK: nn.reduce_mean %{{.*}} : tensor<?x3x4xf32>
  %2 = nn.reduce_mean %x : tensor<?x3x4xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x1x4xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<?x28x28x1xf32>) -> tensor<?x784xf32> {
  // CHECK: nn.reshape %{{.*}} : tensor<?x28x28x1xf32> -> tensor<?x784xf32>
  %0 = nn.reshape %x : tensor<?x28x28x1xf32> -> tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// CHECK-LABEL: func.func @losses
func.func @losses(%p: tensor<?x3xf32>, %t: tensor<?x3xf32>, %l: tensor<?xi32>, %l1: tensor<?x1xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: nn.mse %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?x3xf32>
  %0 = nn.mse %p, %t : tensor<?x3xf32>, tensor<?x3xf32>
  %1 = nn.mae %p, %t : tensor<?x3xf32>, tensor<?x3xf32>
  %2 = nn.binary_crossentropy %p, %t : tensor<?x3xf32>, tensor<?x3xf32>
  %3 = nn.categorical_crossentropy %p, %t : tensor<?x3xf32>, tensor<?x3xf32>
  // CHECK: nn.sparse_categorical_crossentropy %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?xi32>
  %4 = nn.sparse_categorical_crossentropy %p, %l : tensor<?x3xf32>, tensor<?xi32>
  %5 = nn.sparse_categorical_crossentropy %p, %l1 : tensor<?x3xf32>, tensor<?x1xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @grad
func.func @grad(%x: tensor<?x1xf32>, %w: tensor<1x1xf32>) -> tensor<?x1xf32> {
  // CHECK: nn.grad %{{.*}} : tensor<?x1xf32> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<?x1xf32>):
  // CHECK-NEXT:   %[[M:.*]] = nn.matmul %[[A]], %{{.*}}
  // CHECK-NEXT:   nn.yield %[[M]] : tensor<?x1xf32>
  %0 = nn.grad %x : tensor<?x1xf32> {
  ^bb0(%a: tensor<?x1xf32>):
    %1 = nn.matmul %a, %w : tensor<?x1xf32>, tensor<1x1xf32>
    nn.yield %1 : tensor<?x1xf32>
  }
  return %0 : tensor<?x1xf32>
}

// CHECK-LABEL: func.func @model
// CHECK-SAME: {nn.input = "x"}
// CHECK-SAME: {nn.init = "he_normal", nn.param = "fixed.kernel", nn.trainable = false}
// CHECK-SAME: attributes {nn.model}
func.func @model(%x: tensor<?x2xf32> {nn.input = "x"}, %w: tensor<2x2xf32> {nn.param = "fixed.kernel", nn.init = "he_normal", nn.trainable = false}) -> tensor<?x2xf32> attributes {nn.model} {
  %0 = nn.matmul %x, %w : tensor<?x2xf32>, tensor<2x2xf32>
  return %0 : tensor<?x2xf32>
}
func.func @custom_loss(%x: tensor<?x2xf32>, %w: tensor<2x2xf32>) -> tensor<f32> {
  %0 = call @model(%x, %w) : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.reduce_mean %0 : tensor<?x2xf32>
  return %1 : tensor<f32>
}
// CHECK: nn.train_config @model {{{.*}}loss = @custom_loss{{.*}}}
nn.train_config @model {loss = @custom_loss, optimizer = "sgd", optimizer_config = {learning_rate = 0.1 : f64, nesterov = true}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// CHECK-LABEL: func.func @dropout
// CHECK: nn.dropout %arg0 {rate = 5.000000e-01 : f64, seed = -3 : i64} : tensor<?x4xf32>
// CHECK: nn.dropout_mask %arg0, %arg1 {rate = 5.000000e-01 : f64, seed = 9 : i64} : tensor<?x4xf32>, tensor<f32>
func.func @dropout(%x: tensor<?x4xf32>, %step: tensor<f32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = nn.dropout %x {rate = 0.5 : f64, seed = -3 : i64} : tensor<?x4xf32>
  %1 = nn.dropout_mask %x, %step {rate = 0.5 : f64, seed = 9 : i64} : tensor<?x4xf32>, tensor<f32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// CHECK-LABEL: func.func @resample
// CHECK-SAME: -> tensor<?x4x3x1xf32>
// CHECK: nn.resample %arg0 axis = 2 weights = dense<{{\[\[}}1.000000e+00, 0.000000e+00], [5.000000e-01, 5.000000e-01], [0.000000e+00, 1.000000e+00]]> : tensor<3x2xf64> : tensor<?x4x2x1xf32>
func.func @resample(%x: tensor<?x4x2x1xf32>) -> tensor<?x4x3x1xf32> {
  %0 = nn.resample %x axis = 2 weights = dense<[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]> : tensor<3x2xf64> : tensor<?x4x2x1xf32>
  return %0 : tensor<?x4x3x1xf32>
}

// CHECK-LABEL: func.func @embedding
// CHECK: %[[Y:.*]] = nn.embedding %arg0, %arg1 : tensor<?x5xf32>, tensor<7x3xf32>
// CHECK: nn.embedding_grad %arg0, %[[Y]] vocabulary = 7 : tensor<?x5xf32>, tensor<?x5x3xf32>
func.func @embedding(%ids: tensor<?x5xf32>, %t: tensor<7x3xf32>) -> tensor<7x3xf32> {
  %y = nn.embedding %ids, %t : tensor<?x5xf32>, tensor<7x3xf32>
  %g = nn.embedding_grad %ids, %y vocabulary = 7 : tensor<?x5xf32>, tensor<?x5x3xf32>
  return %g : tensor<7x3xf32>
}

// Recurrence: nn.scan with carried values, sequences and consts; the
// slices of gates; zeros of the batch's size; nn.grad with seeds.
// CHECK-LABEL: func.func @recurrence
// CHECK: %[[Z:.*]] = nn.batch_zeros %arg0 : tensor<?x5x4xf32> -> tensor<?x8xf32>
// CHECK: nn.scan carry(%[[Z]] : tensor<?x8xf32>) over(%arg0 : tensor<?x5x4xf32>) with(%arg1 : tensor<4x16xf32>) reverse -> tensor<?x8xf32>, tensor<?x5x8xf32> {
// CHECK: nn.slice %{{.*}} axis = 1 offset = 8 size = 8 : tensor<?x16xf32>
// CHECK: nn.unslice %{{.*}} axis = 1 offsets = [8] full = 16 : tensor<?x8xf32>
// CHECK: nn.grad %{{.*}} : tensor<?x8xf32> seeds(%{{.*}} : tensor<?x8xf32>) {
func.func @recurrence(%x: tensor<?x5x4xf32>, %w: tensor<4x16xf32>) -> tensor<?x5x8xf32> {
  %h0 = nn.batch_zeros %x : tensor<?x5x4xf32> -> tensor<?x8xf32>
  %h, %hs = nn.scan carry(%h0 : tensor<?x8xf32>) over(%x : tensor<?x5x4xf32>) with(%w : tensor<4x16xf32>) reverse -> tensor<?x8xf32>, tensor<?x5x8xf32> {
  ^bb0(%a: tensor<?x8xf32>, %xt: tensor<?x4xf32>, %w1: tensor<4x16xf32>):
    %z = nn.matmul %xt, %w1 : tensor<?x4xf32>, tensor<4x16xf32>
    %s = nn.slice %z axis = 1 offset = 8 size = 8 : tensor<?x16xf32>
    %n = nn.add %a, %s : tensor<?x8xf32>, tensor<?x8xf32>
    nn.yield %n, %n : tensor<?x8xf32>, tensor<?x8xf32>
  }
  %u = nn.unslice %h axis = 1 offsets = [8] full = 16 : tensor<?x8xf32>
  %g = nn.grad %h : tensor<?x8xf32> seeds(%h : tensor<?x8xf32>) {
  ^bb0(%b: tensor<?x8xf32>):
    nn.yield %b : tensor<?x8xf32>
  }
  return %hs : tensor<?x5x8xf32>
}
