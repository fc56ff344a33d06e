//===- NNOps.cpp - operations of the nn dialect ---------------------------===//
//
// Verifiers, result-type inference and folders. Shape rules come from
// NNShapes.h so that the front end and the ops agree on them.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"
#include "dialects/nn/IR/NNLosses.h"
#include "dialects/nn/IR/NNMetrics.h"
#include "dialects/nn/IR/NNOptimizers.h"
#include "dialects/nn/IR/NNInitializers.h"

#include "dialects/nn/IR/NNGradientInterface.cpp.inc"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace nnc::nn;

static RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elementType) {
  return RankedTensorType::get(shape, elementType);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor) {
  // -(-x) == x
  if (auto inner = getX().getDefiningOp<NegOp>())
    return inner.getX();
  return {};
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getX().getType().getRank();
  // I64Attr getters return the bits as uint64_t; the axis is signed.
  auto axis = static_cast<int64_t>(getAxis());
  if (!normalizeAxes({axis}, rank))
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return success();
}

static LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs,
                                    Value rhs, SmallVectorImpl<Type> &out) {
  auto l = cast<RankedTensorType>(lhs.getType());
  auto r = cast<RankedTensorType>(rhs.getType());
  std::optional<Shape> shape = broadcastShapes(l.getShape(), r.getShape());
  if (!shape)
    return emitOptionalError(loc, "operands of shapes ",
                             formatShape(l.getShape()), " and ",
                             formatShape(r.getShape()), " do not broadcast");
  out.push_back(tensorOf(*shape, l.getElementType()));
  return success();
}

#define NN_BINARY_INFER(OP)                                                    \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &out) {             \
    return inferBroadcast(loc, adaptor.getLhs(), adaptor.getRhs(), out);       \
  }
NN_BINARY_INFER(AddOp)
NN_BINARY_INFER(SubOp)
NN_BINARY_INFER(MulOp)
NN_BINARY_INFER(DivOp)
NN_BINARY_INFER(PowOp)
NN_BINARY_INFER(MaximumOp)
NN_BINARY_INFER(MinimumOp)
#undef NN_BINARY_INFER

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &out) {
  auto x = cast<RankedTensorType>(adaptor.getX().getType());
  auto w = cast<RankedTensorType>(adaptor.getW().getType());
  std::optional<Shape> shape = matmulShape(x.getShape(), w.getShape());
  if (!shape)
    return emitOptionalError(loc, "cannot multiply shapes ",
                             formatShape(x.getShape()), " and ",
                             formatShape(w.getShape()),
                             ": need [..., k] and [k, n]");
  out.push_back(tensorOf(*shape, x.getElementType()));
  return success();
}

LogicalResult BiasAddOp::verify() {
  ArrayRef<int64_t> x = getX().getType().getShape();
  int64_t n = getBias().getType().getDimSize(0);
  if (x.empty())
    return emitOpError() << "needs an operand of rank 1 or more";
  if (!ShapedType::isDynamic(x.back()) && !ShapedType::isDynamic(n) &&
      x.back() != n)
    return emitOpError() << "bias of size " << n
                         << " does not match the last dimension of "
                         << formatShape(x);
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and shape changes
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(std::optional<Location> loc, Value x,
                                 ArrayRef<int64_t> axes, bool keepDims,
                                 SmallVectorImpl<Type> &out) {
  auto type = cast<RankedTensorType>(x.getType());
  auto normal = normalizeAxes(axes, type.getRank());
  if (!normal)
    return emitOptionalError(loc, "reduction axes out of range or repeated "
                                  "for rank ",
                             type.getRank());
  out.push_back(tensorOf(reducedShape(type.getShape(), *normal, keepDims),
                         type.getElementType()));
  return success();
}

#define NN_REDUCE_INFER(OP)                                                    \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &out) {             \
    ArrayRef<int64_t> axes;                                                    \
    if (auto attr = adaptor.getAxesAttr())                                     \
      axes = attr.asArrayRef();                                                \
    return inferReduce(loc, adaptor.getX(), axes, adaptor.getKeepdims(), out); \
  }
NN_REDUCE_INFER(ReduceSumOp)
NN_REDUCE_INFER(ReduceMeanOp)
NN_REDUCE_INFER(ReduceMaxOp)
#undef NN_REDUCE_INFER

LogicalResult ReshapeOp::verify() {
  ArrayRef<int64_t> from = getX().getType().getShape();
  ArrayRef<int64_t> to = getType().getShape();
  if (!isValidReshape(from, to) && !isBatchMerge(from, to))
    return emitOpError() << "cannot reshape " << formatShape(from) << " into "
                         << formatShape(to);
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getX().getType() == getType())
    return getX();
  // reshape(reshape(x)) -> reshape(x): only the final shape matters, as
  // long as one reshape can go there (a batch merge after a per-sample
  // reshape may not: [?, 5] -> [?, 5, 1] -> [?, 1]).
  auto inner = getX().getDefiningOp<ReshapeOp>();
  ArrayRef<int64_t> from =
      inner ? inner.getX().getType().getShape() : ArrayRef<int64_t>();
  if (inner && (isValidReshape(from, getType().getShape()) ||
                isBatchMerge(from, getType().getShape()))) {
    getXMutable().assign(inner.getX());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// A batch loss gives one rank-0 value of the predictions' element type.
static LogicalResult inferLoss(Value yPred, SmallVectorImpl<Type> &out) {
  out.push_back(
      tensorOf({}, cast<RankedTensorType>(yPred.getType()).getElementType()));
  return success();
}

#define NN_LOSS_INFER(OP)                                                      \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location>,   \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &out) {             \
    return inferLoss(adaptor.getYPred(), out);                                 \
  }
NN_LOSS_INFER(MseOp)
NN_LOSS_INFER(MaeOp)
NN_LOSS_INFER(BinaryCrossentropyOp)
NN_LOSS_INFER(CategoricalCrossentropyOp)
NN_LOSS_INFER(SparseCategoricalCrossentropyOp)
#undef NN_LOSS_INFER

/// Each loss accepts the shapes its entry in NNLosses.cpp says.
static LogicalResult verifyLoss(Operation *op) {
  std::string problem = lossOf(op)->checkShapes(
      cast<RankedTensorType>(op->getOperand(0).getType()),
      cast<RankedTensorType>(op->getOperand(1).getType()));
  if (!problem.empty())
    return op->emitOpError() << problem;
  return success();
}

LogicalResult MseOp::verify() { return verifyLoss(*this); }
LogicalResult MaeOp::verify() { return verifyLoss(*this); }
LogicalResult BinaryCrossentropyOp::verify() { return verifyLoss(*this); }
LogicalResult CategoricalCrossentropyOp::verify() {
  return verifyLoss(*this);
}
LogicalResult SparseCategoricalCrossentropyOp::verify() {
  return verifyLoss(*this);
}

//===----------------------------------------------------------------------===//
// Derivatives
//===----------------------------------------------------------------------===//

LogicalResult GradOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &out) {
  for (Value x : adaptor.getX())
    out.push_back(x.getType());
  return success();
}

LogicalResult GradOp::verify() {
  Block &body = getBody().front();
  if (getX().empty())
    return emitOpError() << "needs at least one value to differentiate by";
  if (body.getArgumentTypes() != getX().getTypes())
    return emitOpError() << "body must take one argument per operand, of "
                            "the operands' types";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError() << "body must end in nn.yield";
  if (getSeeds().empty()) {
    if (yield.getValues().size() != 1)
      return emitOpError() << "without seeds, the body must yield one value";
  } else if (yield.getValues().getTypes() != getSeeds().getTypes()) {
    return emitOpError() << "needs one seed per yielded value, of its type";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Sequences
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &out) {
  auto ids = cast<RankedTensorType>(adaptor.getIds().getType());
  auto table = cast<RankedTensorType>(adaptor.getTable().getType());
  if (table.isDynamicDim(0) || table.isDynamicDim(1))
    return emitOptionalError(loc, "'nn.embedding' needs a table of known "
                                  "size, got ", formatShape(table.getShape()));
  SmallVector<int64_t> shape(ids.getShape());
  shape.push_back(table.getDimSize(1));
  out.push_back(tensorOf(shape, ids.getElementType()));
  return success();
}

LogicalResult EmbeddingGradOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &out) {
  auto ids = cast<RankedTensorType>(adaptor.getIds().getType());
  auto dy = cast<RankedTensorType>(adaptor.getDy().getType());
  int64_t rank = ids.getRank();
  bool matches = dy.getRank() == rank + 1 && !dy.isDynamicDim(rank);
  for (int64_t i = 0; matches && i < rank; ++i)
    matches = ids.getDimSize(i) == dy.getDimSize(i);
  if (!matches)
    return emitOptionalError(loc, "'nn.embedding_grad' needs dy of the ids' "
                                  "shape plus features, got ",
                             formatShape(dy.getShape()), " for ids ",
                             formatShape(ids.getShape()));
  auto vocabulary = static_cast<int64_t>(adaptor.getVocabulary());
  if (vocabulary < 1 || vocabulary > kMaxElements)
    return emitOptionalError(loc, "'nn.embedding_grad' needs a vocabulary "
                                  "between 1 and 2^32");
  out.push_back(tensorOf({vocabulary, dy.getDimSize(rank)},
                         dy.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

static LogicalResult verifyRate(Operation *op, double rate) {
  // Keras refuses 1 too: nothing would be kept and 1 / (1 - rate) is inf.
  if (!(rate >= 0.0 && rate < 1.0))
    return op->emitOpError() << "rate must be in [0, 1), got " << rate;
  return success();
}

LogicalResult DropoutOp::verify() {
  return verifyRate(*this, getRate().convertToDouble());
}

LogicalResult DropoutMaskOp::verify() {
  if (getStep().getType().getElementType() !=
      getLike().getType().getElementType())
    return emitOpError() << "step must have the element type of 'like'";
  return verifyRate(*this, getRate().convertToDouble());
}

//===----------------------------------------------------------------------===//
// Ops that gradient rules are built from
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &out) {
  auto x = cast<RankedTensorType>(adaptor.getX().getType());
  out.push_back(tensorOf({x.getDimSize(1), x.getDimSize(0)},
                         x.getElementType()));
  return success();
}

LogicalResult BroadcastOp::verify() {
  auto x = getX().getType(), like = getLike().getType();
  if (x.getElementType() != like.getElementType() ||
      getResult().getType() != like)
    return emitOpError() << "result must have the type of 'like'";
  if (x.getRank() > like.getRank())
    return emitOpError() << "cannot broadcast " << formatShape(x.getShape())
                         << " to the lower rank of "
                         << formatShape(like.getShape());
  int64_t offset = like.getRank() - x.getRank();
  for (auto [i, d] : llvm::enumerate(x.getShape())) {
    int64_t to = like.getDimSize(offset + i);
    if (d != 1 && d != to)
      return emitOpError() << "cannot broadcast " << formatShape(x.getShape())
                           << " to " << formatShape(like.getShape());
  }
  return success();
}

LogicalResult CountOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &out) {
  auto type = cast<RankedTensorType>(adaptor.getX().getType());
  ArrayRef<int64_t> axes;
  if (adaptor.getAxes())
    axes = *adaptor.getAxes();
  if (!normalizeAxes(axes, type.getRank()))
    return emitOptionalError(loc, "count axes out of range or repeated for "
                                  "rank ",
                             type.getRank());
  out.push_back(tensorOf({}, type.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Training configuration
//===----------------------------------------------------------------------===//

LogicalResult TrainConfigOp::verify() {
  SmallVector<StringRef> names;
  if (auto name = dyn_cast<StringAttr>(getLoss()))
    names.push_back(name.getValue());
  if (auto list = dyn_cast<ArrayAttr>(getLoss())) {
    if (list.empty())
      return emitOpError() << "loss lists no loss";
    for (StringRef n : list.getAsValueRange<StringAttr>())
      names.push_back(n);
  }
  for (StringRef name : names)
    if (!lookupLoss(name) || lookupLoss(name)->name != name)
      return emitOpError() << "unknown loss '" << name << "'";
  if (std::optional<ArrayRef<double>> w = getLossWeights()) {
    if (isa<FlatSymbolRefAttr>(getLoss()))
      return emitOpError() << "loss_weights go with built-in losses";
    for (double v : *w)
      if (!(v >= 0 && std::isfinite(v)))
        return emitOpError() << "loss weights must be finite and >= 0";
  }
  const OptimizerSpec *spec = lookupOptimizer(getOptimizer());
  if (!spec)
    return emitOpError() << "unknown optimizer '" << getOptimizer() << "'";
  for (NamedAttribute entry : getOptimizerConfig()) {
    const OptimizerParam *param = nullptr;
    for (const OptimizerParam &p : spec->params)
      if (p.name == entry.getName().strref())
        param = &p;
    if (!param)
      return emitOpError() << "optimizer '" << spec->name
                           << "' has no hyper-parameter '"
                           << entry.getName().strref() << "'";
    bool isFloat = isa<FloatAttr>(entry.getValue());
    if (isFloat != (param->kind == OptimizerParam::Float))
      return emitOpError() << "hyper-parameter '" << param->name
                           << "' has the wrong kind of value";
  }
  for (Attribute metric : getMetrics())
    if (!isMetric(cast<StringAttr>(metric).getValue()))
      return emitOpError() << "unknown metric " << metric;
  // I64Attr getters return the bits as uint64_t; the settings are signed.
  if (static_cast<int64_t>(getBatchSize()) < 1)
    return emitOpError() << "batch_size must be positive";
  if (static_cast<int64_t>(getEpochs()) < 1)
    return emitOpError() << "epochs must be positive";
  double split = getValidationSplit().convertToDouble();
  if (split < 0.0 || split >= 1.0)
    return emitOpError() << "validation_split must be in [0, 1)";
  return success();
}

LogicalResult
TrainConfigOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto model =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getModelAttr());
  if (!model || !model->hasAttr(kModelAttr))
    return emitOpError() << "'" << getModel()
                         << "' does not name a func.func marked nn.model";
  if (auto ref = dyn_cast<FlatSymbolRefAttr>(getLoss())) {
    if (!symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, ref))
      return emitOpError() << "custom loss " << ref
                           << " does not name a func.func";
    if (model.getNumResults() != 1)
      return emitOpError() << "a custom loss needs a model with one output";
  }
  size_t outputs = model.getNumResults();
  if (auto list = dyn_cast<ArrayAttr>(getLoss()); list && list.size() != outputs)
    return emitOpError() << "lists " << list.size() << " losses for "
                         << outputs << " outputs";
  if (std::optional<ArrayRef<double>> w = getLossWeights();
      w && w->size() != outputs)
    return emitOpError() << "has " << w->size() << " loss weights for "
                         << outputs << " outputs";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/nn/IR/NNOps.cpp.inc"
