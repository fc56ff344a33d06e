// RUN: nnc-opt %s -nnc-autodiff | FileCheck %s

// d/dx sum(x * x) = 2x through the mul rule: the cotangent of each operand
// is the other operand times the incoming one, and both contributions to x
// are summed. No nn.grad remains.
// CHECK-LABEL: func.func @square
// CHECK-NOT: nn.grad
// CHECK: %[[ONE:.*]] = nn.broadcast %{{.*}}, %{{.*}} : tensor<f32>, tensor<?x3xf32>
// CHECK: %[[A:.*]] = nn.mul %[[ONE]], %arg0
// CHECK: %[[B:.*]] = nn.mul %[[ONE]], %arg0
// CHECK: %[[S:.*]] = nn.add %[[A]], %[[B]]
// CHECK: return %[[S]]
func.func @square(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %g = nn.grad %x : tensor<?x3xf32> {
  ^bb0(%a: tensor<?x3xf32>):
    %y = nn.mul %a, %a : tensor<?x3xf32>, tensor<?x3xf32>
    nn.yield %y : tensor<?x3xf32>
  }
  return %g : tensor<?x3xf32>
}
