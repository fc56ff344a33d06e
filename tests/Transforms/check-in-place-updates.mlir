// RUN: nnc-opt %s -split-input-file -nnc-check-in-place-updates -verify-diagnostics | FileCheck %s

// An update that bufferization left in a temporary is an error, never a
// train step that drops it.
// expected-error @+1 {{internal compiler error: the new value of 'd.bias' is not written into its buffer in place by @m_train; please report this with the .nn file}}
func.func @m_train(%p: memref<4xf32> {nn.param = "d.bias"}) -> (memref<4xf32> {nn.updates = 0 : i64}) {
  %new = memref.alloc() : memref<4xf32>
  return %new : memref<4xf32>
}

// -----

// Updated in place: the result was dropped, nothing to report.
// CHECK-LABEL: func.func @n_train
func.func @n_train(%p: memref<4xf32> {nn.param = "d.bias"}) {
  return
}
