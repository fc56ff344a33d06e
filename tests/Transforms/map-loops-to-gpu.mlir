// RUN: nnc-opt %s --nnc-map-loops-to-gpu --canonicalize --split-input-file --verify-diagnostics | FileCheck %s

// A 2-D nest: collapsed to one dimension of batch * 8 points, 256 threads
// per block, the last block's idle threads guarded.
// CHECK-LABEL: func.func @relu
// CHECK: %[[N:.*]] = arith.muli %dim, %c8
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1)
// CHECK: scf.if
// CHECK: arith.maximumf
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @relu(%x: memref<?x8xf32>, %y: memref<?x8xf32>) attributes {nn.model} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x8xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c8) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<?x8xf32>
    %r = arith.maximumf %v, %zero : f32
    memref.store %r, %y[%i, %j] : memref<?x8xf32>
    scf.reduce
  }
  return
}

// -----

// Serial work on buffers (an optimizer's step size from two hyper-parameters)
// runs in a one-thread kernel: the host never reads a device buffer.
// CHECK-LABEL: func.func @step_size
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1)
// CHECK: memref.load
// CHECK: math.powf
// CHECK: memref.store
// CHECK: gpu.terminator
func.func @step_size(%lr: memref<f32>, %t: memref<f32>, %out: memref<f32>) attributes {nn.model} {
  %b = arith.constant 0.9 : f32
  %a = memref.load %lr[] : memref<f32>
  %s = memref.load %t[] : memref<f32>
  %p = math.powf %b, %s : f32
  %r = arith.mulf %a, %p : f32
  memref.store %r, %out[] : memref<f32>
  return
}

// -----

// A loop whose body launches kernels (a scan over steps) stays on the host.
// CHECK-LABEL: func.func @steps
// CHECK: scf.for
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c4,
func.func @steps(%h: memref<4xf32>) attributes {nn.model} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  scf.for %t = %c0 to %c10 step %c1 {
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %h[%i] : memref<4xf32>
      %w = math.tanh %v : f32
      memref.store %w, %h[%i] : memref<4xf32>
      scf.reduce
    }
  }
  return
}

// -----

// A value loaded on the host and used there (a loop bound read from a
// buffer) cannot be: an internal error, not a silent host read.
func.func @host_read(%n: memref<index>, %y: memref<8xf32>) attributes {nn.model} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  // expected-error @+1 {{internal: the host would read a device buffer here}}
  %k = memref.load %n[] : memref<index>
  scf.parallel (%i) = (%c0) to (%k) step (%c1) {
    memref.store %one, %y[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// -----

// The deallocation's bookkeeping (static index and flag arrays only the
// host reads) goes on the stack; a function that is no entry (a
// deallocation helper) is left alone.
// CHECK-LABEL: func.func @bookkeeping
// CHECK: memref.alloca() : memref<2xindex>
// CHECK-NOT: gpu.launch
// CHECK-NOT: memref.dealloc
// CHECK: return
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: gpu.launch
func.func @bookkeeping(%p: index) -> index attributes {nn.model} {
  %c0 = arith.constant 0 : index
  %b = memref.alloc() : memref<2xindex>
  memref.store %p, %b[%c0] : memref<2xindex>
  %v = memref.load %b[%c0] : memref<2xindex>
  memref.dealloc %b : memref<2xindex>
  return %v : index
}
func.func private @helper(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %one, %x[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// A scalar read on the host (a dropout mask's hash of the step counter) and
// used only inside a nest is read inside the nest instead.
// CHECK-LABEL: func.func @hash_of_step
// CHECK-NEXT: %[[C:.*]] = arith.constant
// CHECK: gpu.launch
// CHECK: memref.load %arg0[]
// CHECK: arith.fptoui
// CHECK: arith.muli
// CHECK: memref.store
func.func @hash_of_step(%step: memref<f32>, %y: memref<8xi32>) attributes {nn.model} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %k = arith.constant 2146121005 : i32
  %s = memref.load %step[] : memref<f32>
  %i = arith.fptoui %s : f32 to i32
  %h = arith.muli %i, %k : i32
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    memref.store %h, %y[%j] : memref<8xi32>
    scf.reduce
  }
  return
}
