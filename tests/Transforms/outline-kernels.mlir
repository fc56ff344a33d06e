// RUN: nnc-opt %s -nnc-outline-kernels | FileCheck %s

// Each top-level loop nest becomes a private, noinline function; the
// values it uses from outside become arguments in order of first use,
// except constants and globals, which are cloned in so that the loop's
// bounds and steps stay visible to LLVM. Work outside the loops (the
// allocation, the scalar store) stays in the caller.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[X:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?xf32>, %[[S:.*]]: memref<f32>)
// CHECK:         %[[N:.*]] = memref.dim %[[X]]
// CHECK:         %[[T:.*]] = memref.alloc(%[[N]])
// CHECK-NEXT:    call @step.kernel0(%[[N]], %[[X]], %[[T]]) : (index, memref<?xf32>, memref<?xf32>) -> ()
// CHECK-NEXT:    memref.store
// CHECK-NEXT:    %[[R:.*]] = call @step.kernel1(%[[N]], %[[T]], %[[Y]]) : (index, memref<?xf32>, memref<?xf32>) -> f32
// CHECK-NEXT:    memref.store %[[R]], %[[S]]
// CHECK-NEXT:    memref.dealloc %[[T]]
// CHECK-NEXT:    return

// Kernels follow their caller in execution order.
// CHECK:       func.func private @step.kernel0(%[[N0:.*]]: index, %[[A0:.*]]: memref<?xf32>, %[[B0:.*]]: memref<?xf32>)
// CHECK-SAME:    attributes {nn.kernel, nn.noalias_memrefs = array<i64: 0, 1>, passthrough = ["noinline"]}
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2.0
// CHECK:         scf.for %{{.*}} = %[[C0]] to %[[N0]] step %[[C1]] {
// CHECK:           arith.mulf %{{.*}}, %[[TWO]]
// CHECK:         return
// CHECK:       func.func private @step.kernel1(%{{.*}}: index, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>) -> f32
// CHECK:         %[[G:.*]] = memref.get_global @table
// CHECK:         %[[SUM:.*]] = scf.for {{.*}} iter_args
// CHECK:           memref.load %[[G]]
// CHECK:         return %[[SUM]] : f32
memref.global "private" constant @table : memref<1xf32> = dense<3.0>
func.func @step(%x: memref<?xf32>, %y: memref<?xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  %table = memref.get_global @table : memref<1xf32>
  %n = memref.dim %x, %c0 : memref<?xf32>
  %t = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %t[%i] : memref<?xf32>
  }
  memref.store %zero, %s[] : memref<f32>
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %t[%i] : memref<?xf32>
    %k = memref.load %table[%c0] : memref<1xf32>
    %p = arith.mulf %v, %k : f32
    memref.store %p, %y[%i] : memref<?xf32>
    %a = arith.addf %acc, %p : f32
    scf.yield %a : f32
  }
  memref.store %sum, %s[] : memref<f32>
  memref.dealloc %t : memref<?xf32>
  return
}

// A function without loops is left alone, and so is a declaration.
// CHECK-LABEL: func.func @no_loops(
// CHECK-NEXT:    arith.constant
// CHECK-NEXT:    memref.store
// CHECK-NEXT:    return
// CHECK-NOT:   func.func private @no_loops.kernel
func.func @no_loops(%s: memref<f32>) {
  %one = arith.constant 1.0 : f32
  memref.store %one, %s[] : memref<f32>
  return
}
// CHECK-LABEL: func.func private @external(memref<f32>)
func.func private @external(memref<f32>)

// A kernel name that is taken gets a unique one.
// CHECK-LABEL: func.func @clash(
// CHECK:         call @[[K:clash.kernel0_[0-9]+]](
// CHECK:       func.func private @[[K]](
func.func @clash(%s: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %n = memref.dim %s, %c0 : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    memref.store %one, %s[%i] : memref<?xf32>
  }
  return
}
func.func private @clash.kernel0(%s: memref<f32>) {
  return
}

// Arguments that view one buffer may overlap: only the third, a buffer of
// its own, is listed as noalias. So is a function argument next to an
// allocation (the caller's buffers and the function's own never overlap).
// CHECK-LABEL: func.func @views(
// CHECK:       func.func private @views.kernel0(%{{.*}}: memref<2xf32, strided<[1]>>, %{{.*}}: memref<2xf32, strided<[1], offset: 2>>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>)
// CHECK-SAME:    nn.noalias_memrefs = array<i64: 2, 3>
func.func @views(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %buf = memref.alloc() : memref<4xf32>
  %other = memref.alloc() : memref<4xf32>
  %lo = memref.subview %buf[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
  %hi = memref.subview %buf[2] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1], offset: 2>>
  scf.for %i = %c0 to %c2 step %c1 {
    %v = memref.load %lo[%i] : memref<2xf32, strided<[1]>>
    memref.store %v, %hi[%i] : memref<2xf32, strided<[1], offset: 2>>
    memref.store %v, %other[%i] : memref<4xf32>
    memref.store %v, %out[%i] : memref<4xf32>
  }
  memref.dealloc %buf : memref<4xf32>
  memref.dealloc %other : memref<4xf32>
  return
}

// A loop carrying vectors (a micro-kernel's k loop at the top of a
// function: a contraction's static remainder rows) stays in the caller: as
// a kernel it would pass its accumulators across a call, on the stack.
// The loop after it, which carries none, is a kernel as usual.
// CHECK-LABEL: func.func @vector_loop(
// CHECK:         %[[ACC:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<16xf32>)
// CHECK:           vector.fma
// CHECK:         vector.store %[[ACC]]
// CHECK:         call @vector_loop.kernel0(
// CHECK-NOT:     func.func private @vector_loop.kernel{{.*}}vector
// CHECK:         func.func private @vector_loop.kernel0(
func.func @vector_loop(%a: memref<8xf32>, %b: memref<8x16xf32>, %c: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %init = vector.load %c[%c0] : memref<16xf32>, vector<16xf32>
  %acc = scf.for %k = %c0 to %c8 step %c1 iter_args(%v = %init) -> (vector<16xf32>) {
    %x = memref.load %a[%k] : memref<8xf32>
    %s = vector.broadcast %x : f32 to vector<16xf32>
    %y = vector.load %b[%k, %c0] : memref<8x16xf32>, vector<16xf32>
    %r = vector.fma %s, %y, %v : vector<16xf32>
    scf.yield %r : vector<16xf32>
  }
  vector.store %acc, %c[%c0] : memref<16xf32>, vector<16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %z = memref.load %c[%i] : memref<16xf32>
    %d = arith.addf %z, %z : f32
    memref.store %d, %c[%i] : memref<16xf32>
  }
  return
}
