// RUN: nnc-opt %s -nnc-outline-kernels -canonicalize -split-input-file | FileCheck %s

// Two tile loops marked nn.parallel, perfectly nested (a pure subview
// between them), collapse into one loop over 4 x ceil(n / 16) tiles,
// column tiles slowest. The kernel takes the range [lo, hi) first; the
// caller passes [0, count) and goes through the thread pool only when the
// estimated work (count times the ops of one tile: 16 x 64 stores and the
// subview, 1025; canonicalized to ceil(n / 16) x 4100) reaches the
// threshold.
// CHECK-LABEL: func.func @tiles(
// CHECK-SAME:    %[[A:.*]]: memref<?x256xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[PER:.*]] = arith.constant 4100 : index
// CHECK-DAG:     %[[MIN:.*]] = arith.constant 65536 : index
// CHECK:         %[[N:.*]] = memref.dim %[[A]], %[[C0]]
// CHECK:         %[[ROWS:.*]] = arith.ceildivui %{{.*}}, %[[C16]]
// CHECK:         %[[COUNT:.*]] = arith.muli %[[ROWS]], %[[C4]]
// CHECK:         %[[WORK:.*]] = arith.muli %[[ROWS]], %[[PER]]
// CHECK:         %[[BIG:.*]] = arith.cmpi uge, %[[WORK]], %[[MIN]]
// CHECK:         scf.if %[[BIG]] {
// CHECK-NEXT:      func.call @tiles.kernel0(%[[C0]], %[[COUNT]], %[[ROWS]], %[[A]]) {nn.parallel_dispatch}
// CHECK-NEXT:    } else {
// CHECK-NEXT:      func.call @tiles.kernel0(%[[C0]], %[[COUNT]], %[[ROWS]], %[[A]]) :
// CHECK-NEXT:    }
// CHECK:       func.func private @tiles.kernel0(%[[LO:.*]]: index, %[[HI:.*]]: index, %[[R:.*]]: index, %[[KA:.*]]: memref<?x256xf32>)
// CHECK:         scf.for %[[T:.*]] = %[[LO]] to %[[HI]] step %c1 {
// CHECK-DAG:       %[[I:.*]] = arith.remui %[[T]], %[[R]]
// CHECK-DAG:       %[[J:.*]] = arith.divui %[[T]], %[[R]]
// CHECK-DAG:       %[[COL:.*]] = arith.muli %[[J]], %c64
// CHECK-DAG:       %[[ROW:.*]] = arith.muli %[[I]], %c16
// CHECK:           memref.subview %[[KA]][%[[ROW]], %[[COL]]]
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               memref.store
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @tiles(%a: memref<?x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %one = arith.constant 1.0 : f32
  %n = memref.dim %a, %c0 : memref<?x256xf32>
  scf.for %j = %c0 to %c256 step %c64 {
    scf.for %i = %c0 to %n step %c16 {
      %tile = memref.subview %a[%i, %j] [16, 64] [1, 1]
          : memref<?x256xf32> to memref<16x64xf32, strided<[256, 1], offset: ?>>
      scf.for %r = %c0 to %c16 step %c1 {
        scf.for %c = %c0 to %c64 step %c1 {
          memref.store %one, %tile[%r, %c]
              : memref<16x64xf32, strided<[256, 1], offset: ?>>
        }
      }
    } {nn.parallel}
  } {nn.parallel}
  return
}

// -----

// An scf.parallel from linalg-to-parallel-loops, with static bounds: the
// work is known (4 x 8 iterations of 3 ops, below the threshold), so the
// branch folds to the direct call. The range covers the rows; the
// innermost (contiguous) dimension stays a loop of its own, which LLVM
// vectorizes, with no index to decode per element.
// CHECK-LABEL: func.func @small(
// CHECK-NOT:     scf.if
// CHECK-NOT:     nn.parallel_dispatch
// CHECK:         call @small.kernel0(%c0, %c4, %{{.*}})
// CHECK:       func.func private @small.kernel0(%[[LO:.*]]: index, %[[HI:.*]]: index,
// CHECK:         scf.for %[[T:.*]] = %[[LO]] to %[[HI]] step %c1 {
// CHECK-NOT:       arith.remui
// CHECK-NEXT:      scf.for %[[C:.*]] = %c0 to %c8 step %c1 {
// CHECK:             memref.store %{{.*}}, %{{.*}}[%[[T]], %[[C]]]
func.func @small(%a: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %a[%i, %j] : memref<4x8xf32>
  }
  return
}

// -----

// A large static nest always goes to the pool: the branch folds the other
// way.
// CHECK-LABEL: func.func @large(
// CHECK-NOT:     scf.if
// CHECK:         call @large.kernel0(%c0, %c1024, %{{.*}}) {nn.parallel_dispatch}
func.func @large(%a: memref<1024x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%i) = (%c0) to (%c1024) step (%c1) {
    scf.for %j = %c0 to %c1024 step %c1 {
      %v = memref.load %a[%i, %j] : memref<1024x1024xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %a[%i, %j] : memref<1024x1024xf32>
    }
  }
  return
}

// -----

// Not parallel kernels: an unmarked scf.for (its iterations may depend on
// each other), and a marked loop carrying a value.
// CHECK-LABEL: func.func @serial(
// CHECK-NOT:     nn.parallel_dispatch
// CHECK:         call @serial.kernel0(%{{.*}}, %{{.*}}) : (index, memref<?xf32>) -> ()
// CHECK:         call @serial.kernel1(
// CHECK:       func.func private @serial.kernel0(%[[N:.*]]: index,
// CHECK:         scf.for %{{.*}} = %c1 to %[[N]] step %c1 {
func.func @serial(%a: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %a, %c0 : memref<?xf32>
  scf.for %i = %c1 to %n step %c1 {
    %p = arith.subi %i, %c1 : index
    %v = memref.load %a[%p] : memref<?xf32>
    memref.store %v, %a[%i] : memref<?xf32>
  }
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %a[%i] : memref<?xf32>
    %t = arith.addf %acc, %v : f32
    scf.yield %t : f32
  } {nn.parallel}
  return %s : f32
}

// -----

// An inner marked loop whose bounds depend on the outer one is not
// collapsed: the outer loop alone is the range.
// CHECK-LABEL: func.func @triangle(
// CHECK:         call @triangle.kernel0(%c0, %c64, %{{.*}})
// CHECK:       func.func private @triangle.kernel0(%[[LO:.*]]: index, %[[HI:.*]]: index,
// CHECK:         scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %c1 {
// CHECK-NEXT:      scf.for %{{.*}} = %c0 to %[[I]] step %c1 {
func.func @triangle(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    scf.for %j = %c0 to %i step %c1 {
      memref.store %one, %a[%i, %j] : memref<64x64xf32>
    } {nn.parallel}
  } {nn.parallel}
  return
}

// -----

// A tile loop whose body writes a whole buffer from outside (a fused
// producer that bufferized into one temporary every tile writes) would
// race: it stays an ordinary kernel, run whole on the calling thread. (The
// Keras parity test caught this: a bias gradient's tiles each zeroed and
// accumulated one shared buffer.)
// CHECK-LABEL: func.func @shared_temporary(
// CHECK-NOT:     nn.parallel_dispatch
// CHECK:         call @shared_temporary.kernel0(%{{.*}}, %{{.*}}) : (memref<8xf32>, memref<64xf32>) -> ()
// CHECK:       func.func private @shared_temporary.kernel0(%[[T:.*]]: memref<8xf32>, %{{.*}}: memref<64xf32>)
// CHECK:         scf.for %{{.*}} = %c0 to %c64 step %c16 {
func.func @shared_temporary(%tmp: memref<8xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %j = %c0 to %c64 step %c16 {
    scf.for %i = %c0 to %c8 step %c1 {
      memref.store %zero, %tmp[%i] : memref<8xf32>
    }
    %tile = memref.subview %out[%j] [16] [1]
        : memref<64xf32> to memref<16xf32, strided<[1], offset: ?>>
    scf.for %i = %c0 to %c16 step %c1 {
      %v = memref.load %tmp[%c0] : memref<8xf32>
      memref.store %v, %tile[%i] : memref<16xf32, strided<[1], offset: ?>>
    }
  } {nn.parallel}
  return
}

// -----

// The blocks of a reduction (nn.reduction_blocks) stay a loop of the
// caller's: each block calls the parallel kernel of its output tiles (the
// block's offset an argument), through the pool when it is worth it,
// instead of the whole loop becoming one serial kernel. The micro-kernel's
// prefetches (memref.prefetch, which declares no memory effects) write
// nothing: the tiles stay parallel.
// CHECK-LABEL: func.func @reduction_blocks(
// CHECK-SAME:    %[[X:.*]]: memref<?x64xf32>, %[[C:.*]]: memref<64x64xf32>)
// CHECK:         scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c256 {
// CHECK:           %[[KN:.*]] = affine.min
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        func.call @reduction_blocks.kernel0(%c0, %c4, %[[C]], %[[K]], %[[X]], %[[KN]]) {nn.parallel_dispatch}
// CHECK:           } else {
// CHECK-NEXT:        func.call @reduction_blocks.kernel0(%c0, %c4, %[[C]], %[[K]], %[[X]], %[[KN]]) :
// CHECK:         } {nn.reduction_blocks}
// CHECK:       func.func private @reduction_blocks.kernel0(%[[LO:.*]]: index, %[[HI:.*]]: index, %{{.*}}: memref<64x64xf32>, %[[KB:.*]]: index,
// CHECK:         scf.for %{{.*}} = %[[LO]] to %[[HI]] step %c1 {
// CHECK:           arith.addi %[[KB]],
func.func @reduction_blocks(%x: memref<?x64xf32>, %c: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %n = memref.dim %x, %c0 : memref<?x64xf32>
  scf.for %k = %c0 to %n step %c256 {
    %kn = affine.min affine_map<(d0)[s0] -> (-d0 + s0, 256)>(%k)[%n]
    scf.for %i = %c0 to %c64 step %c16 {
      %tile = memref.subview %c[%i, 0] [16, 64] [1, 1]
          : memref<64x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
      scf.for %r = %c0 to %c16 step %c1 {
        scf.for %j = %c0 to %c64 step %c1 {
          scf.for %kk = %c0 to %kn step %c1 {
            %kx = arith.addi %k, %kk : index
            %ri = arith.addi %i, %r : index
            memref.prefetch %x[%kx, %ri], read, locality<3>, data : memref<?x64xf32>
            %a = memref.load %x[%kx, %ri] : memref<?x64xf32>
            %b = memref.load %x[%kx, %j] : memref<?x64xf32>
            %o = memref.load %tile[%r, %j] : memref<16x64xf32, strided<[64, 1], offset: ?>>
            %p = arith.mulf %a, %b : f32
            %s = arith.addf %o, %p : f32
            memref.store %s, %tile[%r, %j] : memref<16x64xf32, strided<[64, 1], offset: ?>>
          }
        }
      }
    } {nn.parallel}
  } {nn.reduction_blocks}
  return
}

// -----

// A block whose body carries vector accumulators into a loop (a product
// tile small enough to be one micro-kernel) is not split: vectors would
// cross a call. The whole loop is one kernel.
// CHECK-LABEL: func.func @reduction_blocks_vectors(
// CHECK-NOT:     scf.for
// CHECK:         call @reduction_blocks_vectors.kernel0(
// CHECK-NOT:     scf.for
// CHECK:         return
// CHECK:       func.func private @reduction_blocks_vectors.kernel0(
// CHECK:         scf.for
// CHECK:           vector.load
// CHECK:           scf.for {{.*}} iter_args
// CHECK:         } {nn.reduction_blocks}
func.func @reduction_blocks_vectors(%x: memref<?x16xf32>, %c: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %n = memref.dim %x, %c0 : memref<?x16xf32>
  scf.for %k = %c0 to %n step %c256 {
    %kn = affine.min affine_map<(d0)[s0] -> (-d0 + s0, 256)>(%k)[%n]
    %acc = vector.load %c[%c0, %c0] : memref<1x16xf32>, vector<16xf32>
    %r = scf.for %kk = %c0 to %kn step %c1 iter_args(%a = %acc) -> (vector<16xf32>) {
      %kx = arith.addi %k, %kk : index
      %v = vector.load %x[%kx, %c0] : memref<?x16xf32>, vector<16xf32>
      %s = arith.addf %a, %v : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    vector.store %r, %c[%c0, %c0] : memref<1x16xf32>, vector<16xf32>
  } {nn.reduction_blocks}
  return
}

// -----

// The steps of a scan (nn.sequence_steps) stay a loop of the caller's,
// with their carried buffers and temporaries: each step's loop nests are
// kernels called from it.
// CHECK-LABEL: func.func @sequence_steps(
// CHECK:         %[[R:.*]] = scf.for %{{.*}} = %c0 to %c5 step %c1 iter_args(%[[H:.*]] = %{{.*}}) -> (memref<8xf32>) {
// CHECK:           %[[N:.*]] = memref.alloc() : memref<8xf32>
// CHECK:           call @sequence_steps.kernel0(%[[H]], %[[N]])
// CHECK:           scf.yield %[[N]] : memref<8xf32>
// CHECK:         } {nn.sequence_steps}
// CHECK:       func.func private @sequence_steps.kernel0(
// CHECK:         math.tanh
func.func @sequence_steps(%h0: memref<8xf32>) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c8 = arith.constant 8 : index
  %r = scf.for %t = %c0 to %c5 step %c1 iter_args(%h = %h0) -> (memref<8xf32>) {
    %next = memref.alloc() : memref<8xf32>
    scf.for %i = %c0 to %c8 step %c1 {
      %v = memref.load %h[%i] : memref<8xf32>
      %y = math.tanh %v : f32
      memref.store %y, %next[%i] : memref<8xf32>
    }
    scf.yield %next : memref<8xf32>
  } {nn.sequence_steps}
  return %r : memref<8xf32>
}
