// RUN: nnc-opt %s -nnc-hoist-scan-work -canonicalize -split-input-file | FileCheck %s

// A SimpleRNN's gradient after autodiff. The forward step's input product
// x_t W moves before the loop as one [batch, 5, 4] x [4, 8] product, scanned
// over as a new sequence. The reverse scan recomputed the step from the
// recorded states (x_t W + h_{t-1} U, y = tanh, 1 - y^2): it reads y, which
// the forward step computes and stacks already, and computes 1 - y^2 from it
// (arithmetic on one record: cheaper than a second record); no product is
// recomputed. The accumulators of W's and U's gradients become one product
// each after the loop, over all steps' rows (x^T dz and h^T dz, dz a new
// per-step output); only dh is carried.
// CHECK-LABEL: func.func @f
// CHECK: %[[XW:.*]] = nn.matmul %arg0, %arg2 : tensor<?x5x4xf32>, tensor<4x8xf32>
// CHECK: %[[F:.*]]:3 = nn.scan carry(%arg1 : tensor<?x8xf32>) over(%arg0, %[[XW]] : tensor<?x5x4xf32>, tensor<?x5x8xf32>)
// CHECK: ^bb0(%[[H:.*]]: tensor<?x8xf32>, %{{.*}}: tensor<?x4xf32>, %[[XWT:.*]]: tensor<?x8xf32>, %{{.*}}: tensor<4x8xf32>, %[[U:.*]]: tensor<8x8xf32>):
// CHECK: %[[HU:.*]] = nn.matmul %[[H]], %[[U]]
// CHECK: %[[Z:.*]] = nn.add %[[XWT]], %[[HU]]
// CHECK: %[[Y:.*]] = nn.tanh %[[Z]]
// CHECK: nn.yield %[[Y]], %[[Y]], %[[H]]
// CHECK-NOT: nn.matmul
// CHECK: %[[R:.*]]:2 = nn.scan carry(%{{.*}} : tensor<?x8xf32>) over(%[[F]]#2, %arg0, %{{.*}}, %[[F]]#1 : {{.*}}) with({{.*}}) reverse -> tensor<?x8xf32>, tensor<?x5x8xf32> {
// CHECK: ^bb0(%[[DH0:.*]]: tensor<?x8xf32>, %{{.*}}: tensor<?x8xf32>, %{{.*}}: tensor<?x4xf32>, %[[SEED:.*]]: tensor<?x8xf32>, %[[YT:.*]]: tensor<?x8xf32>,
// CHECK: %[[G:.*]] = nn.add %[[DH0]], %[[SEED]]
// CHECK: %[[YY:.*]] = nn.mul %[[YT]], %[[YT]]
// CHECK: %[[DY:.*]] = nn.sub %{{.*}}, %[[YY]]
// CHECK: %[[DZ:.*]] = nn.mul %[[G]], %[[DY]] : tensor<?x8xf32>, tensor<?x8xf32>
// CHECK-NEXT: %[[UT:.*]] = nn.transpose
// CHECK-NEXT: %[[DH:.*]] = nn.matmul %[[DZ]], %[[UT]] : tensor<?x8xf32>, tensor<8x8xf32>
// CHECK: nn.yield %[[DH]], %[[DZ]] : tensor<?x8xf32>, tensor<?x8xf32>
// CHECK: %[[X2:.*]] = nn.reshape %arg0 : tensor<?x5x4xf32> -> tensor<?x4xf32>
// CHECK: %[[DZ2:.*]] = nn.reshape %[[R]]#1 : tensor<?x5x8xf32> -> tensor<?x8xf32>
// CHECK: %[[XT:.*]] = nn.transpose %[[X2]]
// CHECK: %[[GW:.*]] = nn.matmul %[[XT]], %[[DZ2]] : tensor<4x?xf32>, tensor<?x8xf32>
// CHECK: %[[H2:.*]] = nn.reshape %[[F]]#2 : tensor<?x5x8xf32> -> tensor<?x8xf32>
// CHECK: %[[HT:.*]] = nn.transpose %[[H2]]
// CHECK: %[[GU:.*]] = nn.matmul %[[HT]], %{{.*}} : tensor<8x?xf32>, tensor<?x8xf32>
// CHECK: return %[[GW]], %[[GU]]
  func.func @f(%arg0: tensor<?x5x4xf32>, %arg1: tensor<?x8xf32>, %arg2: tensor<4x8xf32>, %arg3: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<8x8xf32>) {
    %cst = arith.constant dense<0.000000e+00> : tensor<f32>
    %cst_0 = arith.constant dense<1.000000e+00> : tensor<f32>
    %0:3 = nn.scan carry(%arg1 : tensor<?x8xf32>) over(%arg0 : tensor<?x5x4xf32>) with(%arg2, %arg3 : tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>, tensor<?x5x8xf32>, tensor<?x5x8xf32> {
    ^bb0(%arg4: tensor<?x8xf32>, %arg5: tensor<?x4xf32>, %arg6: tensor<4x8xf32>, %arg7: tensor<8x8xf32>):
      %7 = nn.matmul %arg5, %arg6 : tensor<?x4xf32>, tensor<4x8xf32>
      %8 = nn.matmul %arg4, %arg7 : tensor<?x8xf32>, tensor<8x8xf32>
      %9 = nn.add %7, %8 : tensor<?x8xf32>, tensor<?x8xf32>
      %10 = nn.tanh %9 : tensor<?x8xf32>
      nn.yield %10, %10, %arg4 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
    }
    %1 = nn.reshape %cst_0 : tensor<f32> -> tensor<1x1x1xf32>
    %2 = nn.broadcast %1, %0#1 : tensor<1x1x1xf32>, tensor<?x5x8xf32>
    %3 = nn.broadcast %cst, %0#0 : tensor<f32>, tensor<?x8xf32>
    %4 = nn.broadcast %cst, %arg2 : tensor<f32>, tensor<4x8xf32>
    %5 = nn.broadcast %cst, %arg3 : tensor<f32>, tensor<8x8xf32>
    %6:3 = nn.scan carry(%3, %4, %5 : tensor<?x8xf32>, tensor<4x8xf32>, tensor<8x8xf32>) over(%0#2, %arg0, %2 : tensor<?x5x8xf32>, tensor<?x5x4xf32>, tensor<?x5x8xf32>) with(%arg2, %arg3 : tensor<4x8xf32>, tensor<8x8xf32>) reverse -> tensor<?x8xf32>, tensor<4x8xf32>, tensor<8x8xf32> {
    ^bb0(%arg4: tensor<?x8xf32>, %arg5: tensor<4x8xf32>, %arg6: tensor<8x8xf32>, %arg7: tensor<?x8xf32>, %arg8: tensor<?x4xf32>, %arg9: tensor<?x8xf32>, %arg10: tensor<4x8xf32>, %arg11: tensor<8x8xf32>):
      %cst_1 = arith.constant dense<1.000000e+00> : tensor<f32>
      %7 = nn.matmul %arg8, %arg10 : tensor<?x4xf32>, tensor<4x8xf32>
      %8 = nn.matmul %arg7, %arg11 : tensor<?x8xf32>, tensor<8x8xf32>
      %9 = nn.add %7, %8 : tensor<?x8xf32>, tensor<?x8xf32>
      %10 = nn.tanh %9 : tensor<?x8xf32>
      %11 = nn.add %arg4, %arg9 : tensor<?x8xf32>, tensor<?x8xf32>
      %12 = nn.mul %10, %10 : tensor<?x8xf32>, tensor<?x8xf32>
      %13 = nn.sub %cst_1, %12 : tensor<f32>, tensor<?x8xf32>
      %14 = nn.mul %11, %13 : tensor<?x8xf32>, tensor<?x8xf32>
      %15 = nn.transpose %arg11 : tensor<8x8xf32>
      %16 = nn.matmul %14, %15 : tensor<?x8xf32>, tensor<8x8xf32>
      %17 = nn.transpose %arg7 : tensor<?x8xf32>
      %18 = nn.matmul %17, %14 : tensor<8x?xf32>, tensor<?x8xf32>
      %19 = nn.transpose %arg8 : tensor<?x4xf32>
      %20 = nn.matmul %19, %14 : tensor<4x?xf32>, tensor<?x8xf32>
      %21 = nn.add %arg5, %20 : tensor<4x8xf32>, tensor<4x8xf32>
      %22 = nn.add %arg6, %18 : tensor<8x8xf32>, tensor<8x8xf32>
      nn.yield %16, %21, %22 : tensor<?x8xf32>, tensor<4x8xf32>, tensor<8x8xf32>
    }
    return %6#1, %6#2 : tensor<4x8xf32>, tensor<8x8xf32>
  }

// -----

// Two scans with the same operands, one yielding more (the states a
// gradient records): the other one's results come from it, which moves up
// to where the other one was. Canonicalization then drops the per-step
// output nobody reads.
// CHECK-LABEL: func.func @merge
// CHECK: %[[S:.*]]:2 = nn.scan
// CHECK: %[[A:.*]] = nn.add
// CHECK: nn.yield %[[A]], %arg2 : tensor<?x2xf32>, tensor<?x2xf32>
// CHECK-NOT: nn.scan
// CHECK: return %[[S]]#0, %[[S]]#1
func.func @merge(%h0: tensor<?x2xf32>, %x: tensor<?x3x2xf32>) -> (tensor<?x2xf32>, tensor<?x3x2xf32>) {
  %a = nn.scan carry(%h0 : tensor<?x2xf32>) over(%x : tensor<?x3x2xf32>) -> tensor<?x2xf32> {
  ^bb0(%h: tensor<?x2xf32>, %xt: tensor<?x2xf32>):
    %s = nn.add %h, %xt : tensor<?x2xf32>, tensor<?x2xf32>
    nn.yield %s : tensor<?x2xf32>
  }
  %b:3 = nn.scan carry(%h0 : tensor<?x2xf32>) over(%x : tensor<?x3x2xf32>) -> tensor<?x2xf32>, tensor<?x3x2xf32>, tensor<?x3x2xf32> {
  ^bb0(%h: tensor<?x2xf32>, %xt: tensor<?x2xf32>):
    %s = nn.add %h, %xt : tensor<?x2xf32>, tensor<?x2xf32>
    nn.yield %s, %s, %h : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
  }
  return %a, %b#2 : tensor<?x2xf32>, tensor<?x3x2xf32>
}

// -----

// Without a matrix product that could move, the step stays as it is.
// CHECK-LABEL: func.func @elementwise
// CHECK-NEXT: nn.scan carry(%arg0 : tensor<?x2xf32>) over(%arg1 : tensor<?x3x2xf32>) -> tensor<?x2xf32> {
// CHECK: nn.tanh
func.func @elementwise(%h0: tensor<?x2xf32>, %x: tensor<?x3x2xf32>) -> tensor<?x2xf32> {
  %a = nn.scan carry(%h0 : tensor<?x2xf32>) over(%x : tensor<?x3x2xf32>) -> tensor<?x2xf32> {
  ^bb0(%h: tensor<?x2xf32>, %xt: tensor<?x2xf32>):
    %t = nn.tanh %xt : tensor<?x2xf32>
    %s = nn.add %h, %t : tensor<?x2xf32>, tensor<?x2xf32>
    nn.yield %s : tensor<?x2xf32>
  }
  return %a : tensor<?x2xf32>
}

// -----

// The reverse scan's product is not one the forward step computes (another
// matrix): recording it would add a product to the forward's serial loop,
// so the reverse scan keeps it and hoisting moves it before its loop as one
// product over all steps.
// CHECK-LABEL: func.func @other_product
// CHECK: %[[F:.*]]:2 = nn.scan
// CHECK: nn.yield %{{.*}}, %{{.*}} : tensor<?x8xf32>, tensor<?x8xf32>
// CHECK: %[[HV:.*]] = nn.matmul %[[F]]#1, %arg3 : tensor<?x5x8xf32>, tensor<8x8xf32>
// CHECK: nn.scan carry({{.*}}) over({{.*}}%[[HV]]{{.*}}) reverse
// CHECK-NOT: nn.matmul
// CHECK: nn.yield
func.func @other_product(%x: tensor<?x5x8xf32>, %h0: tensor<?x8xf32>, %u: tensor<8x8xf32>, %v: tensor<8x8xf32>) -> tensor<?x8xf32> {
  %f:3 = nn.scan carry(%h0 : tensor<?x8xf32>) over(%x : tensor<?x5x8xf32>) with(%u : tensor<8x8xf32>) -> tensor<?x8xf32>, tensor<?x5x8xf32>, tensor<?x5x8xf32> {
  ^bb0(%h: tensor<?x8xf32>, %xt: tensor<?x8xf32>, %u1: tensor<8x8xf32>):
    %a = nn.matmul %h, %u1 : tensor<?x8xf32>, tensor<8x8xf32>
    %z = nn.add %a, %xt : tensor<?x8xf32>, tensor<?x8xf32>
    %y = nn.tanh %z : tensor<?x8xf32>
    nn.yield %y, %y, %h : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
  }
  %r = nn.scan carry(%h0 : tensor<?x8xf32>) over(%f#2 : tensor<?x5x8xf32>) with(%v : tensor<8x8xf32>) reverse -> tensor<?x8xf32> {
  ^bb0(%g: tensor<?x8xf32>, %ht: tensor<?x8xf32>, %v1: tensor<8x8xf32>):
    %b = nn.matmul %ht, %v1 : tensor<?x8xf32>, tensor<8x8xf32>
    %s = nn.mul %g, %b : tensor<?x8xf32>, tensor<?x8xf32>
    nn.yield %s : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}
