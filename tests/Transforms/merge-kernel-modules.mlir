// RUN: nnc-opt %s --nnc-merge-kernel-modules | FileCheck %s

// Two outlined kernels with the same function name in modules of their own
// become one module; each kernel takes its old module's name and the
// launches follow. A declaration both use (a libdevice function) is kept
// once.
// CHECK-NOT: gpu.module @f_kernel
// CHECK-LABEL: func.func @f
// CHECK: gpu.launch_func @nnc_kernels::@f_kernel blocks
// CHECK: gpu.launch_func @nnc_kernels::@f_kernel_0 blocks
// CHECK-LABEL: gpu.module @nnc_kernels
// CHECK-NEXT: func.func private @__nv_sqrtf
// CHECK-NEXT: gpu.func @f_kernel(
// CHECK: gpu.func @f_kernel_0(
// CHECK-NOT: @__nv_sqrtf
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  gpu.module @f_kernel {
    func.func private @__nv_sqrtf(f32) -> f32
    gpu.func @f_kernel(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    func.func private @__nv_sqrtf(f32) -> f32
    gpu.func @f_kernel(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @f(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
}
