// RUN: nnc-opt %s -nnc-dispatch-parallel-kernels | FileCheck %s

// The marked call becomes nnc_parallel_for(task, ctx, lo, hi): the other
// arguments (here a memref descriptor's fields and a scalar) go into a
// struct on the caller's stack, allocated once at the function's entry;
// the task unpacks them and calls the kernel with its part of the range.
// The unmarked call of the same kernel stays as it is.
// CHECK:       llvm.func @nnc_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64)
// CHECK-LABEL: llvm.func @step(
// CHECK-SAME:    %[[P:.*]]: !llvm.ptr, %[[N:.*]]: i64, %[[F:.*]]: f32, %[[BIG:.*]]: i1)
// CHECK:         %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[CTX:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(ptr, i64, f32)>
// CHECK:         llvm.cond_br %[[BIG]], ^[[PAR:.*]], ^[[SER:.*]]
// CHECK:       ^[[PAR]]:
// CHECK:         %[[S0:.*]] = llvm.mlir.poison : !llvm.struct<(ptr, i64, f32)>
// CHECK-NEXT:    %[[S1:.*]] = llvm.insertvalue %[[P]], %[[S0]][0]
// CHECK-NEXT:    %[[S2:.*]] = llvm.insertvalue %[[N]], %[[S1]][1]
// CHECK-NEXT:    %[[S3:.*]] = llvm.insertvalue %[[F]], %[[S2]][2]
// CHECK-NEXT:    llvm.store %[[S3]], %[[CTX]]
// CHECK-NEXT:    %[[TASK:.*]] = llvm.mlir.addressof @kernel.task
// CHECK-NEXT:    llvm.call @nnc_parallel_for(%[[TASK]], %[[CTX]], %{{.*}}, %[[N]])
// CHECK-NOT:     nn.parallel_dispatch
// CHECK:       ^[[SER]]:
// CHECK-NEXT:    llvm.call @kernel(%{{.*}}, %[[N]], %[[P]], %[[N]], %[[F]]) : (i64, i64, !llvm.ptr, i64, f32) -> ()
// CHECK:       llvm.func @kernel(
// CHECK:       llvm.func internal @kernel.task(%[[C:.*]]: !llvm.ptr, %[[LO:.*]]: i64, %[[HI:.*]]: i64)
// CHECK-NEXT:    %[[V:.*]] = llvm.load %[[C]] : !llvm.ptr -> !llvm.struct<(ptr, i64, f32)>
// CHECK-NEXT:    %[[A:.*]] = llvm.extractvalue %[[V]][0]
// CHECK-NEXT:    %[[B:.*]] = llvm.extractvalue %[[V]][1]
// CHECK-NEXT:    %[[D:.*]] = llvm.extractvalue %[[V]][2]
// CHECK-NEXT:    llvm.call @kernel(%[[LO]], %[[HI]], %[[A]], %[[B]], %[[D]])
// CHECK-NEXT:    llvm.return
llvm.func @step(%p: !llvm.ptr, %n: i64, %f: f32, %big: i1) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  llvm.cond_br %big, ^par, ^ser
^par:
  llvm.call @kernel(%c0, %n, %p, %n, %f) {nn.parallel_dispatch} : (i64, i64, !llvm.ptr, i64, f32) -> ()
  llvm.br ^done
^ser:
  llvm.call @kernel(%c0, %n, %p, %n, %f) : (i64, i64, !llvm.ptr, i64, f32) -> ()
  llvm.br ^done
^done:
  llvm.return
}
llvm.func @kernel(%lo: i64, %hi: i64, %p: !llvm.ptr, %n: i64, %f: f32) {
  llvm.return
}
