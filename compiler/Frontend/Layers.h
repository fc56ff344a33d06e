//===- Layers.h - the built-in layers and their arguments -------*- C++ -*-===//
//
// Each built-in layer is a LayerSpec: its name, its hyper-parameters in
// positional order with kinds and defaults, and a one-line summary. Adding a
// layer means adding a spec here and its elaboration in MLIRGen.
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

#include "llvm/ADT/ArrayRef.h"

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
};

struct ArgSpec {
  std::string name;
  ArgKind kind;
  std::optional<ConstValue> defaultValue; // none: required
  bool keywordOnly = false; // only `name: value`; such args come last
};

struct LayerSpec {
  std::string name;
  std::vector<ArgSpec> args;
  std::string summary;
};

/// The built-in layers (dense, activation, flatten, reshape).
llvm::ArrayRef<LayerSpec> builtinLayers();
const LayerSpec *lookupLayer(llvm::StringRef name);

/// One argument as written at a call site, already evaluated.
struct ArgValue {
  std::string name; // empty for positional
  llvm::SMLoc nameLoc;
  ConstValue value;
};

/// Hyper-parameter name -> value, defaults filled in.
using BoundArgs = std::map<std::string, ConstValue>;

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
