// RUN: nnc-opt %s -nnc-deduplicate-kernels | FileCheck %s

// Two layers with the same kernel: the second call names the first
// kernel, and the copy is gone. Kernels that differ in a constant, in
// which argument they read and which they write, in a type, or that are
// not tagged nn.kernel stay, and so does one whose other attributes
// (which buffers are noalias) differ.
// CHECK-LABEL: func.func @train(
// CHECK-NEXT:    call @scale(%arg0, %arg1)
// CHECK-NEXT:    call @scale(%arg1, %arg2)
// CHECK-NEXT:    call @scale_by_three(%arg1, %arg2)
// CHECK-NEXT:    call @scale_swapped(%arg1, %arg2)
// CHECK-NEXT:    call @scale_f64(%arg3, %arg4)
// CHECK-NEXT:    call @untagged(%arg0, %arg1)
// CHECK-NEXT:    call @scale_noalias(%arg1, %arg2)
// CHECK-NEXT:    return
func.func @train(%a: memref<4xf32>, %b: memref<4xf32>, %c: memref<4xf32>,
                 %d: memref<4xf64>, %e: memref<4xf64>) {
  call @scale(%a, %b) : (memref<4xf32>, memref<4xf32>) -> ()
  call @scale_again(%b, %c) : (memref<4xf32>, memref<4xf32>) -> ()
  call @scale_by_three(%b, %c) : (memref<4xf32>, memref<4xf32>) -> ()
  call @scale_swapped(%b, %c) : (memref<4xf32>, memref<4xf32>) -> ()
  call @scale_f64(%d, %e) : (memref<4xf64>, memref<4xf64>) -> ()
  call @untagged(%a, %b) : (memref<4xf32>, memref<4xf32>) -> ()
  call @scale_noalias(%b, %c) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}

// CHECK: func.func private @scale(
func.func private @scale(%x: memref<4xf32>, %y: memref<4xf32>) attributes {nn.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %y[%i] : memref<4xf32>
  } loc("layer1")
  return
}
// CHECK-NOT: func.func private @scale_again(
func.func private @scale_again(%x: memref<4xf32>, %y: memref<4xf32>) attributes {nn.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %y[%i] : memref<4xf32>
  } loc("layer2")
  return
}
// CHECK: func.func private @scale_by_three(
func.func private @scale_by_three(%x: memref<4xf32>, %y: memref<4xf32>) attributes {nn.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 3.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %y[%i] : memref<4xf32>
  }
  return
}
// Reads its second argument and writes its first: not the same kernel.
// CHECK: func.func private @scale_swapped(
func.func private @scale_swapped(%x: memref<4xf32>, %y: memref<4xf32>) attributes {nn.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %y[%i] : memref<4xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %x[%i] : memref<4xf32>
  }
  return
}
// CHECK: func.func private @scale_f64(
func.func private @scale_f64(%x: memref<4xf64>, %y: memref<4xf64>) attributes {nn.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 2.0 : f64
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf64>
    %w = arith.mulf %v, %k : f64
    memref.store %w, %y[%i] : memref<4xf64>
  }
  return
}
// CHECK: func.func private @untagged(
func.func private @untagged(%x: memref<4xf32>, %y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %y[%i] : memref<4xf32>
  }
  return
}
// Same body, but its buffers are known not to overlap: a different kernel
// for LLVM.
// CHECK: func.func private @scale_noalias(
func.func private @scale_noalias(%x: memref<4xf32>, %y: memref<4xf32>) attributes {nn.kernel, nn.noalias_memrefs = array<i64: 0, 1>} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %y[%i] : memref<4xf32>
  }
  return
}
