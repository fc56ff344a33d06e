//===- Passes.td - conversions out of the nn dialect -------*- tablegen -*-===//

#ifndef NNC_CONVERSION_PASSES_TD
#define NNC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalg : Pass<"convert-nn-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every nn op of a model's computation into structured ops on
    tensors, ready for linalg fusion, tiling and bufferization:

    ```mlir
    %y = nn.relu %x : tensor<?x8xf32>
    ```
    becomes
    ```mlir
    %e = tensor.empty(%d0) : tensor<?x8xf32>
    %y = linalg.generic {indexing_maps = [id, id], iterator_types = [parallel, parallel]}
           ins(%x : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %r = arith.maximumf %in, %zero : f32
        linalg.yield %r : f32
    } -> tensor<?x8xf32>
    ```

    Elementwise ops (with NumPy broadcasting as indexing maps), bias_add and
    activations become linalg.generic; matmul becomes linalg.fill +
    linalg.matmul; softmax becomes the max-subtracted form (max, exp-sum,
    divide); reductions become generics with reduction iterators; reshape
    becomes tensor.collapse_shape/expand_shape. nn.grad, losses and
    nn.train_config are left for the autodiff and training passes.
  }];
  let options = [
    Option<"implicitKernelGradients", "implicit-kernel-gradients", "bool",
           /*default=*/"false",
           "Lower a unit-stride, undilated convolution's kernel gradient to "
           "one generic over the input itself (no window copy), marked "
           "nn.implicit_kernel_gradient for the CPU's "
           "nnc-lower-implicit-kernel-gradients">,
    Option<"implicitConvolutions", "implicit-convolutions", "bool",
           /*default=*/"false",
           "Lower a unit-stride, undilated convolution (not 1x1) to one "
           "generic over the input itself (no window copy), marked "
           "nn.implicit_convolution for the CPU's "
           "nnc-lower-implicit-convolutions">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect"
  ];
}

#endif // NNC_CONVERSION_PASSES_TD
