// RUN: nnc-opt %s -split-input-file -verify-diagnostics -nnc-mark-noalias | FileCheck %s

// Memrefs 0 and 2 of three overlap nothing: their aligned pointers (pointer
// arguments 1 and 5) become noalias; the allocated pointers, the index and
// memref 1 do not, and the attribute is gone.
// CHECK-LABEL: llvm.func @kernel(
// CHECK-SAME:    %arg0: i64, %arg1: !llvm.ptr, %arg2: !llvm.ptr {llvm.noalias}, %arg3: i64, %arg4: i64, %arg5: i64,
// CHECK-SAME:    %arg6: !llvm.ptr, %arg7: !llvm.ptr, %arg8: i64, %arg9: i64, %arg10: i64,
// CHECK-SAME:    %arg11: !llvm.ptr, %arg12: !llvm.ptr {llvm.noalias}, %arg13: i64, %arg14: i64, %arg15: i64)
// CHECK-NOT:     nn.noalias_memrefs
llvm.func @kernel(%n: i64,
                  %a0: !llvm.ptr, %a1: !llvm.ptr, %ao: i64, %as: i64, %at: i64,
                  %b0: !llvm.ptr, %b1: !llvm.ptr, %bo: i64, %bs: i64, %bt: i64,
                  %c0: !llvm.ptr, %c1: !llvm.ptr, %co: i64, %cs: i64, %ct: i64)
    attributes {nn.noalias_memrefs = array<i64: 0, 2>} {
  llvm.return
}

// A function without the attribute is left alone.
// CHECK-LABEL: llvm.func @plain(
// CHECK-SAME:    %arg0: !llvm.ptr, %arg1: !llvm.ptr)
llvm.func @plain(%a0: !llvm.ptr, %a1: !llvm.ptr) {
  llvm.return
}

// -----

// An ordinal past the descriptors is an internal error, not a crash.
// expected-error@+1 {{internal: 'nn.noalias_memrefs' names memref #1 of 1}}
llvm.func @bad(%a0: !llvm.ptr, %a1: !llvm.ptr) attributes {nn.noalias_memrefs = array<i64: 1>} {
  llvm.return
}
