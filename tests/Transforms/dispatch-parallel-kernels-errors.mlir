// RUN: nnc-opt %s -nnc-dispatch-parallel-kernels -split-input-file -verify-diagnostics

// The marker on a call that does not take the range first is a compiler
// bug, reported as such rather than miscompiled.
llvm.func @bad(%p: !llvm.ptr) {
  // expected-error @+1 {{internal: 'nn.parallel_dispatch' on a call that is not (i64 lo, i64 hi, ...) -> () of a kernel}}
  llvm.call @kernel(%p) {nn.parallel_dispatch} : (!llvm.ptr) -> ()
  llvm.return
}
llvm.func @kernel(%p: !llvm.ptr) {
  llvm.return
}
