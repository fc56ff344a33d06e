// RUN: nnc-opt %s -nnc-export-artifact | FileCheck %s
// RUN: nnc-opt %s -nnc-export-artifact -nnc-strip-nn-attributes -convert-func-to-llvm -reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// The ABI comes from the bufferized signatures: one wrapper per model and
// entry, taking (batch, buffers) and building each argument's descriptor;
// the manifest lists every buffer in argument order with its role, name,
// shape (-1 = batch) and element type. The functions behind the entries
// are renamed `nnc.<name>`: no C symbol can clash with them.

// CHECK: module attributes {nn.manifest =
// CHECK-SAME: \22dtype\22:\22f32\22,\22name\22:\22w\22,\22role\22:\22param\22,\22shape\22:[2,3]
// CHECK-SAME: \22kind\22:\22infer\22,\22symbol\22:\22nnc_m_infer\22
// CHECK-SAME: \22kind\22:\22train\22,\22symbol\22:\22nnc_m_train\22
// CHECK-SAME: \22init\22:\22ones\22
// CHECK-SAME: \22train\22:{\22loss\22:\22mse\22}
// CHECK-DAG: func.func private @nnc.m(
// CHECK-DAG: func.func private @nnc.m_train(
// CHECK-LABEL: func.func @nnc_m_infer(%arg0: i64, %arg1: !llvm.ptr)
// CHECK:   llvm.getelementptr %arg1[0]
// CHECK:   %[[X:.*]] = llvm.load
// CHECK:   llvm.insertvalue %[[X]], {{.*}}[0]
// CHECK:   llvm.insertvalue %[[X]], {{.*}}[1]
// CHECK:   llvm.insertvalue %arg0, {{.*}}[3, 0]
// CHECK:   builtin.unrealized_conversion_cast {{.*}} to memref<?x2xf32>
// CHECK:   llvm.getelementptr %arg1[1]
// CHECK:   builtin.unrealized_conversion_cast {{.*}} to memref<2x3xf32>
// CHECK:   llvm.getelementptr %arg1[2]
// The entry's temporaries come from the runtime's arena, released after it.
// CHECK:   %[[MARK:.*]] = call @nnc_scratch_mark() : () -> i64
// CHECK:   call @nnc.m({{.*}}) : (memref<?x2xf32>, memref<2x3xf32>, memref<?x3xf32>) -> ()
// CHECK:   call @nnc_scratch_release(%[[MARK]]) : (i64) -> ()
// CHECK-LABEL: func.func @nnc_m_train(
// CHECK:   call @nnc.m_train(

// After the standard conversions the casts cancel: the wrapper calls the
// model with the descriptors' fields.
// LLVM-LABEL: llvm.func @nnc_m_infer(%arg0: i64, %arg1: !llvm.ptr)
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.call @nnc.m(

func.func private @m(%x: memref<?x2xf32> {nn.input = "x"},
                     %w: memref<2x3xf32> {nn.param = "w", nn.init = "ones"},
                     %y: memref<?x3xf32> {nn.output = "output_0"})
    attributes {nn.model, nn.train = {loss = "mse"}} {
  return
}
func.func private @m_train(%x: memref<?x2xf32> {nn.input = "x"},
                           %w: memref<2x3xf32> {nn.param = "w"},
                           %lr: memref<f32> {nn.hyper = "learning_rate"},
                           %loss: memref<f32> {nn.output = "loss"})
    attributes {nn.entry = {kind = "train", model = "m"}} {
  return
}

