// RUN: nnc-opt %s -nnc-strip-nn-attributes | FileCheck %s

// nn.* function and argument attributes go before the LLVM lowering, whose
// verifier rejects them; other attributes stay.
// CHECK-LABEL: func.func @m(%arg0: memref<?x4xf32>, %arg1: memref<4xf32> {other.keep})
// CHECK-NOT: nn.
// CHECK-SAME: attributes {other.flag}
func.func @m(%x: memref<?x4xf32> {nn.input = "x"}, %w: memref<4xf32> {nn.param = "w", nn.init = "zeros", other.keep}) attributes {nn.model, other.flag} {
  return
}
