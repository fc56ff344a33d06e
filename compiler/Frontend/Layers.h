//===- Layers.h - the built-in layers and their arguments -------*- C++ -*-===//
//
// Each built-in layer is a LayerSpec: its name, its hyper-parameters in
// positional order with kinds and defaults, a one-line summary and its
// elaboration into nn ops. Specs live with their elaboration, one file per
// layer family under compiler/Frontend/Layers/ (Families.h lists them);
// adding a layer is an entry there (docs/adding-a-layer.md).
//
// bindArguments() is the one place that matches call arguments to
// hyper-parameters (positional, named, defaults, kinds, value ranges); user
// blocks are bound through it too, with a spec built from their parameters.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_LAYERS_H
#define NNC_COMPILER_FRONTEND_LAYERS_H

#include "compiler/Frontend/Diagnostics.h"
#include "compiler/Frontend/Values.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nnc {

/// What a hyper-parameter accepts.
enum class ArgKind {
  PositiveInt,
  Int,
  Float,       // any number
  Probability, // a number in [0, 1)
  Bool,
  String,
  Activation,  // relu, "relu", ...
  Initializer, // glorot_uniform, "zeros", ...
  Shape,       // a list of positive integers
  Pair,        // a positive integer or a list of two: 3, [3, 3]
  Borders,     // n, [rows, cols] or [[top, bottom], [left, right]], n >= 0
  Choice,      // one of ArgSpec::choices, as a word or a string
};

struct ArgSpec {
  std::string name;
  ArgKind kind;
  std::optional<ConstValue> defaultValue; // none: required
  bool keywordOnly = false; // only `name: value`; such args come last
  std::vector<std::string> choices = {}; // what a Choice accepts
};

/// A Pair argument (bound or default) as {first, second}.
std::array<int64_t, 2> pairOf(const ConstValue &v);
/// A Borders argument (bound or default) as {top, bottom, left, right}.
std::array<int64_t, 4> bordersOf(const ConstValue &v);

/// Hyper-parameter name -> value, defaults filled in.
using BoundArgs = std::map<std::string, ConstValue>;

/// Which half of a bidirectional layer a recurrent layer elaborates as.
enum class BidirectionalHalf {
  None,
  /// The forward half: masked steps output zeros (Keras' Bidirectional sets
  /// zero_output_for_mask = return_sequences on both halves).
  Forward,
  /// The backward half: also scans in reverse (go_backwards toggled) and
  /// returns its outputs in the input's order, as Keras' Bidirectional does
  /// after flipping them back.
  Backward,
};

/// What a layer's elaboration works with: the builder at the call, the
/// bound arguments and the instance's unique name (`dense_1`). It creates
/// parameters and reports errors (at the call's .nn location) through it;
/// MLIRGen implements it.
class LayerContext {
public:
  LayerContext(mlir::OpBuilder &b, mlir::Location loc, std::string name,
               const BoundArgs &args)
      : b(b), loc(loc), name(std::move(name)), args(args) {}
  virtual ~LayerContext() = default;

  mlir::OpBuilder &b;
  const mlir::Location loc;
  const std::string name;
  const BoundArgs &args;

  /// The input's step mask (Keras' `_keras_mask`): a (batch, steps) tensor
  /// of 1 for a real step and 0 for padding, or null. Set for layers whose
  /// spec says MaskUse::Uses.
  mlir::Value mask;
  /// The output's step mask, set by a MaskUse::Uses layer (null: none).
  mlir::Value outputMask;
  /// The final states a recurrent layer gives with return_state (h, or h
  /// and c), set by its elaboration.
  llvm::SmallVector<mlir::Value, 2> states;
  /// Set when a recurrent layer elaborates inside bidirectional.
  BidirectionalHalf half = BidirectionalHalf::None;

  /// A new parameter `<name>.<suffix>` of the model being built; null
  /// (after reporting) when its shape is too large.
  virtual mlir::Value addParam(llvm::StringRef suffix,
                               llvm::ArrayRef<int64_t> shape,
                               mlir::Type elementType, llvm::StringRef init,
                               bool trainable) = 0;
  /// Reports `message` at the call.
  virtual void error(const llvm::Twine &message) = 0;
};

/// A layer applied to its input; std::nullopt after reporting an error.
using LayerElaboration = std::optional<mlir::Value> (*)(LayerContext &ctx,
                                                        mlir::Value input);

/// What a layer does with a step mask on its input (Keras' masking; the
/// mask comes from embedding(mask_zero: true)).
enum class MaskUse {
  /// The layer ignores the mask and its output has none; MLIRGen warns, as
  /// Keras does, that the padded steps count from there on.
  Drops,
  /// Applied step by step (dense, activation, dropout): the output keeps
  /// the input's mask.
  Keeps,
  /// The elaboration reads LayerContext::mask and sets outputMask.
  Uses,
};

struct LayerSpec {
  std::string name;
  std::vector<ArgSpec> args;
  std::string summary;
  LayerElaboration elaborate = nullptr; // null for a user block's spec
  MaskUse maskUse = MaskUse::Drops;
};

/// Every built-in layer, family by family.
llvm::ArrayRef<LayerSpec> builtinLayers();
const LayerSpec *lookupLayer(llvm::StringRef name);

/// Every word a built-in layer's Choice argument accepts (valid, same,
/// nearest, ...): bare words that name no tensor.
llvm::ArrayRef<std::string> layerChoiceWords();

/// Default values for ArgSpecs.
ConstValue wordValue(llvm::StringRef w);
ConstValue boolValue(bool v);

/// One argument as written at a call site, already evaluated.
struct ArgValue {
  std::string name; // empty for positional
  llvm::SMLoc nameLoc;
  ConstValue value;
};

/// Matches `args` to `spec`. Reports every mismatch through `diags` at the
/// argument's location (or `callLoc`) and returns std::nullopt if any.
std::optional<BoundArgs> bindArguments(const LayerSpec &spec,
                                       llvm::ArrayRef<ArgValue> args,
                                       llvm::SMLoc callLoc,
                                       DiagnosticEngine &diags);

/// The closest of `candidates` to `name`, for "did you mean" notes; empty if
/// none is close.
std::string closestMatch(llvm::StringRef name,
                         llvm::ArrayRef<std::string> candidates);

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_LAYERS_H
