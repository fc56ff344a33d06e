//===- Recurrent.cpp - recurrent layers: cells as nn.scan bodies ----------===//
//
// Each recurrent layer is one nn.scan over the steps of a (batch, steps,
// features) input, whose body is the layer's cell written in nn ops with
// Keras' formulas, gate order and weight layout (`kernel`,
// `recurrent_kernel`, `bias`), so weights interchange with Keras. The state
// starts at zeros, as Keras' does. The gradient (backpropagation through
// time) is nn.scan's own, built from the cell's ops' rules. simple_rnn,
// lstm, gru, the echo-state reservoir (a fixed sparse recurrence), and
// bidirectional's spec (MLIRGen applies it: its argument is a layer call).
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Builtins.h"
#include "compiler/Frontend/Layers/Families.h"
#include "compiler/Frontend/Layers/Masks.h"

#include "dialects/nn/IR/NNBuilder.h"
#include "dialects/nn/IR/NNShapes.h"

#include "llvm/Support/FormatVariadic.h"

using namespace nnc;
using mlir::Value;

namespace {

/// The cell's view of one step: the builder inside the scan body, the
/// carried values (h first), the step's input and the weights.
struct Step {
  nn::NNBuilder ops;
  mlir::ValueRange carried;
  Value x;
  mlir::ValueRange weights;

  Value matmul(Value a, Value w) { return nn::MatmulOp::create(ops.b, ops.loc, a, w); }
  /// Columns [k * units, (k + 1) * units) of `v`'s last axis.
  Value gate(Value v, int64_t k, int64_t units) {
    int64_t axis = mlir::cast<mlir::RankedTensorType>(v.getType()).getRank() - 1;
    return nn::SliceOp::create(ops.b, ops.loc, v, axis, k * units, units);
  }
  Value act(llvm::StringRef name, Value v) {
    return applyActivation(ops.b, ops.loc, name, v);
  }
  Value biasAdd(Value v, Value bias) {
    return nn::BiasAddOp::create(ops.b, ops.loc, v.getType(), v, bias);
  }
};

/// Computes the next carried values (h first) from a step.
using CellFn = llvm::function_ref<llvm::SmallVector<Value>(Step &)>;

/// Checks the input is (batch, steps, features) with known steps and
/// features.
bool checkSequence(LayerContext &ctx, Value x, llvm::StringRef layer) {
  auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
  if (type.getRank() != 3) {
    ctx.error(layer + " expects a 3-D input (batch, steps, features), got " +
              nn::formatShape(type.getShape()));
    return false;
  }
  if (type.isDynamicDim(1) || type.isDynamicDim(2)) {
    ctx.error(layer + " needs a known number of steps and features, got " +
              nn::formatShape(type.getShape()));
    return false;
  }
  return true;
}

/// One nn.scan over `x` carrying `carries` zero states of `units` each,
/// with `weights` as its consts and `cell` as its body. The layer's output:
/// the last h, or every step's h with return_sequences. With a step mask
/// (ctx.mask) the mask is scanned beside `x`, and a padded step carries
/// every state unchanged: state = m * cell + (1 - m) * state, exact for
/// m in {0, 1}; its output is the carried h, or zeros inside bidirectional
/// (Keras' zero_output_for_mask, which Bidirectional sets).
Value scanLayer(LayerContext &ctx, Value x, llvm::ArrayRef<Value> weights,
                unsigned carries, int64_t units, CellFn cell) {
  mlir::OpBuilder &b = ctx.b;
  mlir::Location loc = ctx.loc;
  auto xType = mlir::cast<mlir::RankedTensorType>(x.getType());
  auto stateType = mlir::RankedTensorType::get({xType.getDimSize(0), units},
                                               xType.getElementType());
  bool sequences = ctx.args.at("return_sequences").b;
  Value zeros = nn::BatchZerosOp::create(b, loc, stateType, x);
  llvm::SmallVector<Value> init(carries, zeros);
  llvm::SmallVector<mlir::Type> results(carries, stateType);
  if (sequences)
    results.push_back(nn::ScanOp::stackedType(stateType, xType.getDimSize(1)));
  mlir::UnitAttr reverse =
      ctx.args.at("go_backwards").b ? b.getUnitAttr() : mlir::UnitAttr();
  llvm::SmallVector<Value> over = {x};
  if (ctx.mask)
    over.push_back(maskColumn(b, loc, ctx.mask));
  auto scan = nn::ScanOp::create(b, loc, results, init, over, weights, reverse);

  mlir::OpBuilder::InsertionGuard guard(b);
  llvm::SmallVector<mlir::Type> argTypes(carries, stateType);
  for (Value v : over)
    argTypes.push_back(nn::ScanOp::stepType(
        mlir::cast<mlir::RankedTensorType>(v.getType())));
  for (Value w : weights)
    argTypes.push_back(w.getType());
  llvm::SmallVector<mlir::Location> locs(argTypes.size(), loc);
  mlir::Block *body = b.createBlock(&scan.getBody(), {}, argTypes, locs);
  Step step{{b, loc},
            body->getArguments().take_front(carries),
            body->getArgument(carries),
            body->getArguments().drop_front(carries + over.size())};
  llvm::SmallVector<Value> next = cell(step);
  Value out = next.front();
  if (ctx.mask) {
    nn::NNBuilder &ops = step.ops;
    Value m = body->getArgument(carries + 1);
    Value padded = ops.sub(ops.cst(m, 1.0), m);
    for (unsigned i = 0; i < carries; ++i) {
      Value real = ops.mul(m, next[i]);
      if (i == 0 && ctx.half != BidirectionalHalf::None)
        out = real;
      next[i] = ops.add(real, ops.mul(padded, step.carried[i]));
    }
    if (ctx.half == BidirectionalHalf::None)
      out = next.front();
  }
  if (sequences)
    next.push_back(out);
  nn::YieldOp::create(b, loc, next);
  // Keras: the output keeps the input's mask with return_sequences (even
  // go_backwards' reversed outputs keep it unreversed).
  if (sequences)
    ctx.outputMask = ctx.mask;
  // return_state: the states after the last (real) step, h first, as
  // Keras returns [output, h, c].
  auto returnState = ctx.args.find("return_state");
  if (returnState != ctx.args.end() && returnState->second.b)
    ctx.states.assign(scan.getFinalCarries().begin(),
                      scan.getFinalCarries().end());
  if (!sequences)
    return scan.getFinalCarries()[0];
  // A reverse scan stacks each step's h at the step's own position; Keras'
  // go_backwards returns them in the order they were computed (a
  // bidirectional layer's backward half flips them back).
  b.setInsertionPointAfter(scan);
  Value hs = scan.getStacked()[0];
  if (reverse && ctx.half != BidirectionalHalf::Backward)
    hs = nn::ReverseOp::create(b, loc, hs, 1);
  return hs;
}

/// kernel (features, gates * units), recurrent_kernel (units, gates *
/// units) and, with use_bias, a bias of `biasShape`; null after an error.
bool addWeights(LayerContext &ctx, Value x, int64_t gates,
                llvm::ArrayRef<int64_t> biasShape, llvm::StringRef biasInit,
                llvm::SmallVectorImpl<Value> &weights) {
  const BoundArgs &args = ctx.args;
  auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
  int64_t units = args.at("units").i, features = type.getDimSize(2);
  bool trainable = args.at("trainable").b;
  mlir::Type elt = type.getElementType();
  if (static_cast<double>(gates) * units * std::max(units, features) >
      static_cast<double>(nn::kMaxElements)) {
    ctx.error("recurrent weights of " + std::to_string(units) +
              " units are larger than 2^32 elements");
    return false;
  }
  Value kernel = ctx.addParam("kernel", {features, gates * units}, elt,
                              args.at("kernel_initializer").s, trainable);
  Value recurrent =
      ctx.addParam("recurrent_kernel", {units, gates * units}, elt,
                   args.at("recurrent_initializer").s, trainable);
  if (!kernel || !recurrent)
    return false;
  weights.append({kernel, recurrent});
  if (args.at("use_bias").b) {
    Value bias = ctx.addParam("bias", biasShape, elt, biasInit, trainable);
    if (!bias)
      return false;
    weights.push_back(bias);
  }
  return true;
}

// Keras: SimpleRNN(units, activation="tanh", use_bias=True,
// kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
// bias_initializer="zeros", return_sequences=False, return_state=False,
// go_backwards=False).
//   h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias)
std::optional<Value> simpleRnn(LayerContext &ctx, Value x) {
  if (!checkSequence(ctx, x, "simple_rnn"))
    return std::nullopt;
  int64_t units = ctx.args.at("units").i;
  llvm::SmallVector<Value> weights;
  if (!addWeights(ctx, x, 1, {units}, ctx.args.at("bias_initializer").s,
                  weights))
    return std::nullopt;
  std::string activation = ctx.args.at("activation").s;
  return scanLayer(ctx, x, weights, 1, units, [&](Step &s) {
    Value z = s.ops.add(s.matmul(s.x, s.weights[0]),
                        s.matmul(s.carried[0], s.weights[1]));
    if (s.weights.size() > 2)
      z = s.biasAdd(z, s.weights[2]);
    return llvm::SmallVector<Value>{s.act(activation, z)};
  });
}

// Keras: LSTM(units, activation="tanh", recurrent_activation="sigmoid",
// unit_forget_bias=True, ...), gates in the order i, f, c, o:
//   z = x_t kernel + h_{t-1} recurrent_kernel + bias
//   i = ra(z_i), f = ra(z_f), o = ra(z_o), g = a(z_c)
//   c_t = f c_{t-1} + i g,  h_t = o a(c_t)
std::optional<Value> lstm(LayerContext &ctx, Value x) {
  if (!checkSequence(ctx, x, "lstm"))
    return std::nullopt;
  const BoundArgs &args = ctx.args;
  int64_t units = args.at("units").i;
  std::string biasInit = args.at("bias_initializer").s;
  if (args.at("unit_forget_bias").b) {
    if (biasInit != "zeros") {
      ctx.error("lstm: unit_forget_bias needs bias_initializer: zeros (or "
                "set unit_forget_bias: false)");
      return std::nullopt;
    }
    biasInit = "unit_forget_bias";
  }
  llvm::SmallVector<Value> weights;
  if (!addWeights(ctx, x, 4, {4 * units}, biasInit, weights))
    return std::nullopt;
  std::string a = args.at("activation").s;
  std::string ra = args.at("recurrent_activation").s;
  return scanLayer(ctx, x, weights, 2, units, [&](Step &s) {
    Value z = s.ops.add(s.matmul(s.x, s.weights[0]),
                        s.matmul(s.carried[0], s.weights[1]));
    if (s.weights.size() > 2)
      z = s.biasAdd(z, s.weights[2]);
    Value i = s.act(ra, s.gate(z, 0, units));
    Value f = s.act(ra, s.gate(z, 1, units));
    Value g = s.act(a, s.gate(z, 2, units));
    Value o = s.act(ra, s.gate(z, 3, units));
    Value c = s.ops.add(s.ops.mul(f, s.carried[1]), s.ops.mul(i, g));
    Value h = s.ops.mul(o, s.act(a, c));
    return llvm::SmallVector<Value>{h, c};
  });
}

// Keras: GRU(units, activation="tanh", recurrent_activation="sigmoid",
// reset_after=True, ...), gates in the order z, r, h. With reset_after the
// bias is (2, 3 units): input bias, recurrent bias.
//   x_* = x_t kernel_* + b_in_*,  r_* = h_{t-1} recurrent_kernel_* + b_rec_*
//   z = ra(x_z + r_z), r = ra(x_r + r_r), hh = a(x_h + r * r_h)
//   h_t = z h_{t-1} + (1 - z) hh
// Without reset_after (bias (3 units), added to the input side only):
//   hh = a(x_h + (r h_{t-1}) recurrent_kernel_h).
std::optional<Value> gru(LayerContext &ctx, Value x) {
  if (!checkSequence(ctx, x, "gru"))
    return std::nullopt;
  const BoundArgs &args = ctx.args;
  int64_t units = args.at("units").i;
  bool after = args.at("reset_after").b;
  llvm::SmallVector<int64_t> biasShape = {3 * units};
  if (after)
    biasShape.insert(biasShape.begin(), 2);
  llvm::SmallVector<Value> weights;
  if (!addWeights(ctx, x, 3, biasShape, args.at("bias_initializer").s,
                  weights))
    return std::nullopt;
  std::string a = args.at("activation").s;
  std::string ra = args.at("recurrent_activation").s;
  return scanLayer(ctx, x, weights, 1, units, [&](Step &s) {
    Value h = s.carried[0];
    bool bias = s.weights.size() > 2;
    auto biasRow = [&](int64_t k) {
      auto type = mlir::RankedTensorType::get(
          {3 * units}, nn::NNBuilder::elementType(s.weights[2]));
      Value row = nn::SliceOp::create(s.ops.b, s.ops.loc, s.weights[2], 0, k, 1);
      return Value(nn::ReshapeOp::create(s.ops.b, s.ops.loc, type, row));
    };
    Value xz = s.matmul(s.x, s.weights[0]);
    if (bias)
      xz = s.biasAdd(xz, after ? biasRow(0) : s.weights[2]);
    Value rz, rh;
    if (after) {
      rz = s.matmul(h, s.weights[1]);
      if (bias)
        rz = s.biasAdd(rz, biasRow(1));
    } else {
      rz = s.matmul(h, s.gate(s.weights[1], 0, 2 * units));
    }
    Value z = s.act(ra, s.ops.add(s.gate(xz, 0, units), s.gate(rz, 0, units)));
    Value r = s.act(ra, s.ops.add(s.gate(xz, 1, units), s.gate(rz, 1, units)));
    if (after)
      rh = s.ops.mul(r, s.gate(rz, 2, units));
    else
      rh = s.matmul(s.ops.mul(r, h), s.gate(s.weights[1], 2, units));
    Value hh = s.act(a, s.ops.add(s.gate(xz, 2, units), rh));
    Value one = s.ops.cst(h, 1.0);
    Value next = s.ops.add(s.ops.mul(z, h), s.ops.mul(s.ops.sub(one, z), hh));
    return llvm::SmallVector<Value>{next};
  });
}

/// Arguments every recurrent layer has, after its own.
std::vector<ArgSpec> recurrentArgs(std::vector<ArgSpec> own) {
  std::vector<ArgSpec> args = {
      {"units", ArgKind::PositiveInt, std::nullopt},
      {"activation", ArgKind::Activation, wordValue("tanh")}};
  args.insert(args.end(), own.begin(), own.end());
  std::vector<ArgSpec> common = {
      {"use_bias", ArgKind::Bool, boolValue(true)},
      {"kernel_initializer", ArgKind::Initializer, wordValue("glorot_uniform")},
      {"recurrent_initializer", ArgKind::Initializer, wordValue("orthogonal")},
      {"bias_initializer", ArgKind::Initializer, wordValue("zeros")},
      {"return_sequences", ArgKind::Bool, boolValue(false)},
      {"return_state", ArgKind::Bool, boolValue(false)},
      {"go_backwards", ArgKind::Bool, boolValue(false)},
      {"trainable", ArgKind::Bool, boolValue(true), true},
      {"name", ArgKind::String, wordValue(""), true}};
  args.insert(args.end(), common.begin(), common.end());
  return args;
}

// reservoir(units, density, spectral_radius, leak_rate, input_scaling, ...):
// an echo-state network's reservoir. With a the leak rate and f the
// activation,
//   x_t = (1 - a) x_{t-1} + a f(input_scaling u_t W_in
//                              + spectral_radius x_{t-1} W (+ b))
// W is fixed and sparse: each unit reads k = round(density * units) others
// (`recurrent_columns`, drawn at initialisation), with weights
// (`recurrent_values`) scaled at initialisation to spectral radius 1; both
// are non-trainable parameters (no gradient, no optimizer state, kept in
// checkpoints). W_in (`kernel`, U(-1, 1)) and the bias train only with
// train_input: true. The readout is the ordinary layer after it.
std::optional<Value> reservoir(LayerContext &ctx, Value x) {
  if (!checkSequence(ctx, x, "reservoir"))
    return std::nullopt;
  const BoundArgs &args = ctx.args;
  int64_t units = args.at("units").i;
  double density = args.at("density").f, radius = args.at("spectral_radius").f,
         leak = args.at("leak_rate").f, scaling = args.at("input_scaling").f;
  auto num = [](double v) { return llvm::formatv("{0}", v).str(); };
  auto refuse = [&](llvm::StringRef what) {
    ctx.error("reservoir: " + what);
    return std::nullopt;
  };
  if (!(density > 0 && density <= 1))
    return refuse("density must be in (0, 1], got " + num(density));
  if (!(leak > 0 && leak <= 1))
    return refuse("leak_rate must be in (0, 1], got " + num(leak));
  if (!(radius > 0))
    return refuse("spectral_radius must be positive, got " +
                  num(radius));
  if (static_cast<double>(units) * units > static_cast<double>(nn::kMaxElements))
    return refuse("units^2 must stay below 2^32");
  int64_t k = std::max<int64_t>(
      1, static_cast<int64_t>(std::llround(density * units)));
  auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
  mlir::Type elt = type.getElementType();
  bool train = args.at("train_input").b;
  llvm::SmallVector<Value> weights = {
      ctx.addParam("kernel", {type.getDimSize(2), units}, elt,
                   "reservoir_input", train),
      ctx.addParam("recurrent_columns", {units, k}, elt, "reservoir_columns",
                   false),
      ctx.addParam("recurrent_values", {units, k}, elt, "reservoir_values",
                   false)};
  if (args.at("use_bias").b)
    weights.push_back(ctx.addParam("bias", {units}, elt, "zeros", train));
  if (llvm::any_of(weights, [](Value w) { return !w; }))
    return std::nullopt;
  std::string activation = args.at("activation").s;
  return scanLayer(ctx, x, weights, 1, units, [&](Step &s) {
    Value h = s.carried[0];
    Value in = s.ops.mul(s.matmul(s.x, s.weights[0]), s.ops.cst(h, scaling));
    Value rec = nn::SparseMatmulOp::create(s.ops.b, s.ops.loc, h, s.weights[1],
                                           s.weights[2]);
    Value z = s.ops.add(in, s.ops.mul(rec, s.ops.cst(h, radius)));
    if (s.weights.size() > 3)
      z = s.biasAdd(z, s.weights[3]);
    Value f = s.act(activation, z);
    if (leak == 1.0)
      return llvm::SmallVector<Value>{f};
    Value next = s.ops.add(s.ops.mul(h, s.ops.cst(h, 1.0 - leak)),
                           s.ops.mul(f, s.ops.cst(h, leak)));
    return llvm::SmallVector<Value>{next};
  });
}

/// Never called: MLIRGen elaborates bidirectional itself (its `layer`
/// argument is a layer call, bound with that layer's own arguments).
std::optional<Value> bidirectionalPlaceholder(LayerContext &ctx, Value) {
  ctx.error("internal: bidirectional elaborated as a plain layer");
  return std::nullopt;
}

} // namespace

bool nnc::isRecurrentLayer(llvm::StringRef name) {
  return name == "simple_rnn" || name == "lstm" || name == "gru";
}

std::vector<LayerSpec> nnc::recurrentLayers() {
  return {
      {"simple_rnn", recurrentArgs({}),
       "a fully connected recurrent layer over (batch, steps, features): "
       "h = activation(x kernel + h recurrent_kernel + bias)",
       simpleRnn, MaskUse::Uses},
      {"lstm",
       recurrentArgs(
           {{"recurrent_activation", ArgKind::Activation, wordValue("sigmoid")},
            {"unit_forget_bias", ArgKind::Bool, boolValue(true)}}),
       "long short-term memory over (batch, steps, features), Keras' gates "
       "i, f, c, o",
       lstm, MaskUse::Uses},
      {"gru",
       recurrentArgs(
           {{"recurrent_activation", ArgKind::Activation, wordValue("sigmoid")},
            {"reset_after", ArgKind::Bool, boolValue(true)}}),
       "gated recurrent unit over (batch, steps, features), Keras' gates z, "
       "r, h",
       gru, MaskUse::Uses},
      {"reservoir",
       {{"units", ArgKind::PositiveInt, std::nullopt},
        {"density", ArgKind::Float, ConstValue::ofFloat(0.1, {})},
        {"spectral_radius", ArgKind::Float, ConstValue::ofFloat(0.9, {})},
        {"leak_rate", ArgKind::Float, ConstValue::ofFloat(1.0, {})},
        {"input_scaling", ArgKind::Float, ConstValue::ofFloat(1.0, {})},
        {"activation", ArgKind::Activation, wordValue("tanh")},
        {"use_bias", ArgKind::Bool, boolValue(false)},
        {"train_input", ArgKind::Bool, boolValue(false)},
        {"return_sequences", ArgKind::Bool, boolValue(false)},
        {"go_backwards", ArgKind::Bool, boolValue(false)},
        {"name", ArgKind::String, wordValue(""), true}},
       "an echo-state reservoir over (batch, steps, features): a fixed sparse "
       "random recurrence (density, spectral_radius), leaky units, input "
       "weights trained only with train_input",
       reservoir, MaskUse::Uses},
      // Keras: Bidirectional(layer, merge_mode="concat").
      {"bidirectional",
       {{"layer", ArgKind::String, std::nullopt},
        {"merge_mode", ArgKind::Choice, wordValue("concat"), false,
         {"concat", "sum", "mul", "ave"}},
        {"name", ArgKind::String, wordValue(""), true}},
       "a recurrent layer run forward and backward over the steps, the two "
       "outputs merged (concat, sum, mul or ave)",
       bidirectionalPlaceholder},
  };
}
