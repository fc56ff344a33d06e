// RUN: nnc-opt %s -nnc-prefetch-sequence-steps -canonicalize -cse | FileCheck %s
// RUN: nnc-opt %s -nnc-prefetch-sequence-steps | FileCheck %s --check-prefix=UNTOUCHED

// A scan's loop over the steps reads its step's slice of a sequence
// [batch, steps, features] and writes its slice of a stack of per-step
// outputs. Each step first prefetches the next step's rows, every cache
// line (16 f32), read for the sequence and write for the stack, guarded by
// the next step being in range.
// CHECK-LABEL: func.func @forward
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[N:.*]] = arith.addi %[[T]], %c1
// CHECK: %[[GE:.*]] = arith.cmpi sge, %[[N]], %c0
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[N]], %c200
// CHECK: %[[IN:.*]] = arith.andi %[[GE]], %[[LT]]
// CHECK: scf.if %[[IN]] {
// CHECK: scf.for %[[B:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK: scf.for %[[E:.*]] = %c0 to %c32 step %c16 {
// CHECK: memref.prefetch %arg1[%[[B]], %[[N]], %[[E]]], write, locality<3>, data
// CHECK: scf.if %[[IN]] {
// CHECK: scf.for %[[B2:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK: scf.for %[[E2:.*]] = %c0 to %c64 step %c16 {
// CHECK: memref.prefetch %arg0[%[[B2]], %[[N]], %[[E2]]], read, locality<3>, data
// CHECK: memref.subview %arg0[0, %[[T]], 0]
// CHECK: } {nn.sequence_steps}
func.func @forward(%xs: memref<?x200x64xf32>, %stack: memref<?x200x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c200 = arith.constant 200 : index
  %b = memref.dim %xs, %c0 : memref<?x200x64xf32>
  scf.for %t = %c0 to %c200 step %c1 {
    %x = memref.subview %xs[0, %t, 0] [%b, 1, 64] [1, 1, 1] : memref<?x200x64xf32> to memref<?x64xf32, strided<[12800, 1], offset: ?>>
    %s = memref.subview %stack[0, %t, 0] [%b, 1, 32] [1, 1, 1] : memref<?x200x32xf32> to memref<?x32xf32, strided<[6400, 1], offset: ?>>
    %v = memref.load %x[%c0, %c0] : memref<?x64xf32, strided<[12800, 1], offset: ?>>
    memref.store %v, %s[%c0, %c0] : memref<?x32xf32, strided<[6400, 1], offset: ?>>
  } {nn.sequence_steps}
  return
}

// A reverse scan's step t is at position T - 1 - t: the next step's
// position is computed the same way from t + 1 (folded: 198 - t).
// CHECK-LABEL: func.func @reverse
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: %[[P:.*]] = arith.subi %c198, %[[T]]
// CHECK: scf.if
// CHECK: memref.prefetch %arg0[%{{.*}}, %[[P]], %{{.*}}], read
// CHECK: %[[Q:.*]] = arith.subi %c199, %[[T]]
// CHECK: memref.subview %arg0[0, %[[Q]], 0]
func.func @reverse(%xs: memref<?x200x64xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c199 = arith.constant 199 : index
  %c200 = arith.constant 200 : index
  %zero = arith.constant 0.0 : f32
  %b = memref.dim %xs, %c0 : memref<?x200x64xf32>
  %r = scf.for %t = %c0 to %c200 step %c1 iter_args(%acc = %zero) -> f32 {
    %p = arith.subi %c199, %t : index
    %x = memref.subview %xs[0, %p, 0] [%b, 1, 64] [1, 1, 1] : memref<?x200x64xf32> to memref<?x64xf32, strided<[12800, 1], offset: ?>>
    %v = memref.load %x[%c0, %c0] : memref<?x64xf32, strided<[12800, 1], offset: ?>>
    %n = arith.addf %acc, %v : f32
    scf.yield %n : f32
  } {nn.sequence_steps}
  return %r : f32
}

// Left alone: a loop that is not a scan's, and a slice that is the same
// every step.
// UNTOUCHED-LABEL: func.func @untouched
// UNTOUCHED-NOT: memref.prefetch
// UNTOUCHED: return
func.func @untouched(%xs: memref<?x200x64xf32>, %k: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c200 = arith.constant 200 : index
  %b = memref.dim %xs, %c0 : memref<?x200x64xf32>
  scf.for %t = %c0 to %c200 step %c1 {
    %x = memref.subview %xs[0, %t, 0] [%b, 1, 64] [1, 1, 1] : memref<?x200x64xf32> to memref<?x64xf32, strided<[12800, 1], offset: ?>>
    %v = memref.load %x[%c0, %c0] : memref<?x64xf32, strided<[12800, 1], offset: ?>>
  }
  scf.for %t = %c0 to %c200 step %c1 {
    %x = memref.subview %xs[0, %k, 0] [%b, 1, 64] [1, 1, 1] : memref<?x200x64xf32> to memref<?x64xf32, strided<[12800, 1], offset: ?>>
    %v = memref.load %x[%c0, %c0] : memref<?x64xf32, strided<[12800, 1], offset: ?>>
  } {nn.sequence_steps}
  return
}
