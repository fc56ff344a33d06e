// RUN: nnc-opt %s -nnc-approximate-math | FileCheck %s

// exp, log and tanh become inline polynomials (arith and math.fma, no libm
// call left to stop vectorisation); sin keeps its libm call.
// CHECK-LABEL: func.func @f(
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.tanh
// CHECK: math.fma
// CHECK: math.sin
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.tanh
func.func @f(%x: f32) -> (f32, f32, f32, f32) {
  %a = math.exp %x : f32
  %b = math.log %x : f32
  %c = math.tanh %x : f32
  %d = math.sin %x : f32
  return %a, %b, %c, %d : f32, f32, f32, f32
}
