//===- GlobalPooling.h - the global pooling layers' reduction --*- C++ -*-===//
//
// global_{average,max}_pooling{1d,2d} differ only in the axes they reduce
// (the steps, or height and width) and in how they check their input.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_LAYERS_GLOBALPOOLING_H
#define NNC_COMPILER_FRONTEND_LAYERS_GLOBALPOOLING_H

#include "compiler/Frontend/Layers.h"

#include "dialects/nn/IR/NNOps.h"

namespace nnc {

/// The mean (or maximum) of `x` over `axes`, kept as size 1 when the
/// layer's `keepdims` argument is true.
inline mlir::Value globalReduction(LayerContext &ctx, mlir::Value x,
                                   llvm::ArrayRef<int64_t> axes, bool max) {
  auto axesAttr = ctx.b.getDenseI64ArrayAttr(axes);
  mlir::UnitAttr keep =
      ctx.args.at("keepdims").b ? ctx.b.getUnitAttr() : nullptr;
  if (max)
    return nn::ReduceMaxOp::create(ctx.b, ctx.loc, x, axesAttr, keep);
  return nn::ReduceMeanOp::create(ctx.b, ctx.loc, x, axesAttr, keep);
}

/// Their arguments (Keras: keepdims=False).
inline std::vector<ArgSpec> globalPoolingArgs() {
  return {{"keepdims", ArgKind::Bool, boolValue(false)},
          {"name", ArgKind::String, wordValue(""), true}};
}

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_LAYERS_GLOBALPOOLING_H
