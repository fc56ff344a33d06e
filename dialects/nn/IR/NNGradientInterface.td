//===- NNGradientInterface.td - per-op reverse-mode rules -*- tablegen -*-===//
//
// Every differentiable nn op states its own vector-Jacobian product here, in
// nn ops. The autodiff pass (compiler/Transforms/Autodiff.cpp) knows no op by
// name: it walks a computation backwards and asks each op for the gradients
// of its operands. Because the rules build ordinary nn ops, their output can
// be differentiated again (second derivatives for physics-informed losses).
//
//===----------------------------------------------------------------------===//

#ifndef NN_GRADIENT_INTERFACE_TD
#define NN_GRADIENT_INTERFACE_TD

include "mlir/IR/OpBase.td"

def NN_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::nnc::nn";
  let description = [{
    The reverse-mode rule of an op. Given the gradient of the differentiated
    scalar with respect to each result (`resultGrads`, null where a result
    does not contribute), the op appends one value per operand to
    `operandGrads`: that operand's gradient, with the operand's exact type
    (broadcast operands are summed back to their shape), or a null value when
    the operand gets none (labels, integer operands, constants of the rule).
  }];
  let methods = [
    InterfaceMethod<
      "Builds the operands' gradients at the builder's insertion point.",
      "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // NN_GRADIENT_INTERFACE_TD
