//===- NNDialect.cpp - the nn dialect -------------------------------------===//
//
// Registers the ops and verifies the attributes the dialect attaches to
// function arguments (`nn.param`, `nn.init`, `nn.trainable`, `nn.input`, `nn.output`)
// to functions (`nn.model`, `nn.layers`, `nn.entry`, `nn.train`) and to the
// module (`nn.source`, `nn.manifest`).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNInitializers.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace nnc::nn;

#include "dialects/nn/IR/NNDialect.cpp.inc"

SmallVector<AffineMap, 3>
nnc::nn::implicitKernelGradientMaps(MLIRContext *ctx, int64_t channels) {
  // Loops (a, q, f, n, i, j).
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  return {AffineMap::get(6, 0, {d(3), d(4) + d(0), d(5) * channels + d(1)},
                         ctx),
          AffineMap::get(6, 0, {d(3), d(4), d(5), d(2)}, ctx),
          AffineMap::get(6, 0, {d(0), d(1), d(2)}, ctx)};
}

SmallVector<AffineMap, 3>
nnc::nn::implicitConvolutionMaps(MLIRContext *ctx, int64_t channels) {
  // Loops (n, i, j, f, a, q).
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  return {AffineMap::get(6, 0, {d(0), d(1) + d(4), d(2) * channels + d(5)},
                         ctx),
          AffineMap::get(6, 0, {d(4), d(5), d(3)}, ctx),
          AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx)};
}

namespace {

/// nn ops are pure tensor computations without side effects or symbols of
/// their own, so MLIR's inliner may move any of them anywhere, including
/// into an nn.grad body (a call to the model inside grad(...)). That is
/// how the training builder's calls to the model, the custom loss and the
/// model functions become one body for autodiff and fusion.
struct NNInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Operation *, bool) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};

} // namespace

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/nn/IR/NNOps.cpp.inc"
      >();
  addInterfaces<NNInlinerInterface>();
}

LogicalResult NNDialect::verifyRegionArgAttribute(Operation *op,
                                                  unsigned /*regionIndex*/,
                                                  unsigned argIndex,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  auto fail = [&](const Twine &msg) {
    return op->emitError() << "argument #" << argIndex << ": " << msg;
  };
  if (name == kParamAttr || name == kInputAttr || name == kOutputAttr ||
      name == kTargetAttr || name == kStateAttr) {
    auto str = dyn_cast<StringAttr>(attr.getValue());
    if (!str || str.getValue().empty())
      return fail("'" + name + "' must be a non-empty string");
    return success();
  }
  if (name == kInitAttr) {
    auto str = dyn_cast<StringAttr>(attr.getValue());
    if (!str || !isIn(builtinInitializers(), str.getValue()))
      return fail("'" + name + "' must name a known initializer");
    return success();
  }
  if (name == kTrainableAttr) {
    if (!isa<BoolAttr>(attr.getValue()))
      return fail("'" + name + "' must be a boolean");
    return success();
  }
  if (name == kHyperAttr) {
    auto str = dyn_cast<StringAttr>(attr.getValue());
    if (!str || (str.getValue() != "learning_rate" && str.getValue() != "step"))
      return fail("'" + name + "' must be \"learning_rate\" or \"step\"");
    return success();
  }
  return fail("unknown nn argument attribute '" + name + "'");
}

LogicalResult NNDialect::verifyRegionResultAttribute(Operation *op,
                                                     unsigned /*regionIndex*/,
                                                     unsigned resultIndex,
                                                     NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  auto fail = [&](const Twine &msg) {
    return op->emitError() << "result #" << resultIndex << ": " << msg;
  };
  if (name == kUpdatesAttr) {
    auto i = dyn_cast<IntegerAttr>(attr.getValue());
    auto f = dyn_cast<func::FuncOp>(op);
    if (!i || !f || i.getInt() < 0 ||
        i.getInt() >= static_cast<int64_t>(f.getNumArguments()) ||
        f.getArgument(i.getInt()).getType() !=
            f.getResultTypes()[resultIndex])
      return fail("'" + name + "' must be the index of an argument of the "
                  "result's type");
    return success();
  }
  if (name == kResultAttr) {
    auto str = dyn_cast<StringAttr>(attr.getValue());
    if (!str || str.getValue().empty())
      return fail("'" + name + "' must be a non-empty string");
    return success();
  }
  return fail("unknown nn result attribute '" + name + "'");
}

LogicalResult NNDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  if (name == kModelAttr || name == kKernelAttr) {
    if (!isa<func::FuncOp>(op))
      return op->emitError() << "'" << name << "' applies to func.func only";
    if (!isa<UnitAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a unit attribute";
    return success();
  }
  if (name == kNoAliasAttr) {
    if (!isa<FunctionOpInterface>(op) ||
        !isa<DenseI64ArrayAttr>(attr.getValue()))
      return op->emitError() << "'" << name
                             << "' must be an array<i64> on a function";
    return success();
  }
  if (name == kLayersAttr) {
    auto layers = dyn_cast<ArrayAttr>(attr.getValue());
    if (!isa<func::FuncOp>(op) || !layers)
      return op->emitError()
             << "'" << name << "' must be an array on a func.func";
    for (Attribute a : layers) {
      auto d = dyn_cast<DictionaryAttr>(a);
      if (!d || !d.getAs<StringAttr>("name") || !d.getAs<StringAttr>("type") ||
          !d.getAs<DenseI64ArrayAttr>("shape") ||
          !d.getAs<IntegerAttr>("params"))
        return op->emitError() << "'" << name
                               << "' entries need name, type, shape, params";
    }
    return success();
  }
  if (name == kEntryAttr) {
    auto d = dyn_cast<DictionaryAttr>(attr.getValue());
    auto kind = d ? d.getAs<StringAttr>("kind") : nullptr;
    if (!isa<func::FuncOp>(op) || !kind || !d.getAs<StringAttr>("model") ||
        (kind.getValue() != "train" && kind.getValue() != "eval" &&
         kind.getValue() != "grad" && kind.getValue() != "def"))
      return op->emitError() << "'" << name
                             << "' must be {kind = \"train\" | \"eval\" | \"grad\" | \"def\", "
                                "model = \"...\"} on a func.func";
    if (kind.getValue() == "def" && !d.getAs<StringAttr>("name"))
      return op->emitError() << "'" << name
                             << "' of kind \"def\" needs the def's name";
    return success();
  }
  if (name == kTrainAttr) {
    if (!isa<func::FuncOp>(op) || !isa<DictionaryAttr>(attr.getValue()))
      return op->emitError()
             << "'" << name << "' must be a dictionary on a func.func";
    return success();
  }
  if (name == kSourceAttr) {
    auto d = dyn_cast<DictionaryAttr>(attr.getValue());
    if (!isa<ModuleOp>(op) || !d || !d.getAs<StringAttr>("name") ||
        !d.getAs<StringAttr>("sha256"))
      return op->emitError() << "'" << name
                             << "' must be {name, sha256} on a module";
    return success();
  }
  if (name == kManifestAttr) {
    if (!isa<ModuleOp>(op) || !isa<StringAttr>(attr.getValue()))
      return op->emitError()
             << "'" << name << "' must be a string on a module";
    return success();
  }
  if (name == kParallelAttr || name == kReductionBlocksAttr ||
      name == kSequenceStepsAttr) {
    if (op->getName().getStringRef() != "scf.for" ||
        !isa<UnitAttr>(attr.getValue()))
      return op->emitError()
             << "'" << name << "' must be a unit attribute on an scf.for";
    return success();
  }
  if (name == kParallelDispatchAttr) {
    StringRef opName = op->getName().getStringRef();
    if ((opName != "func.call" && opName != "llvm.call") ||
        !isa<UnitAttr>(attr.getValue()))
      return op->emitError() << "'" << name
                             << "' must be a unit attribute on a call";
    return success();
  }
  if (name == kImplicitKernelGradientAttr ||
      name == kImplicitConvolutionAttr) {
    auto channels = dyn_cast<IntegerAttr>(attr.getValue());
    if (op->getName().getStringRef() != "linalg.generic" || !channels ||
        channels.getInt() < 1)
      return op->emitError() << "'" << name
                             << "' must be a positive integer (the input's "
                                "channels) on a linalg.generic";
    return success();
  }
  return op->emitError() << "unknown nn attribute '" << name << "'";
}
