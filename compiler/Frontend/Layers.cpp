//===- Layers.cpp - the built-in layers and their arguments ---------------===//

#include "compiler/Frontend/Layers.h"

#include "compiler/Frontend/Builtins.h"
#include "compiler/Frontend/Layers/Families.h"
#include "dialects/nn/IR/NNInitializers.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include <cstdio>

using namespace nnc;

std::string ConstValue::str() const {
  switch (kind) {
  case Kind::Int:
    return std::to_string(i);
  case Kind::Float: {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", f);
    return buf;
  }
  case Kind::Bool:
    return b ? "true" : "false";
  case Kind::String:
    return "\"" + s + "\"";
  case Kind::Name:
    return s;
  case Kind::List: {
    std::string out = "[";
    for (size_t k = 0; k < list.size(); ++k)
      out += (k ? ", " : "") + list[k].str();
    return out + "]";
  }
  }
  return "?";
}

ConstValue nnc::wordValue(llvm::StringRef w) {
  ConstValue c;
  c.kind = ConstValue::Kind::String;
  c.s = w.str();
  return c;
}

ConstValue nnc::boolValue(bool v) {
  ConstValue c;
  c.kind = ConstValue::Kind::Bool;
  c.b = v;
  return c;
}

llvm::ArrayRef<LayerSpec> nnc::builtinLayers() {
  static const std::vector<LayerSpec> kLayers = [] {
    std::vector<LayerSpec> all;
    for (auto family : {coreLayers, reshapingLayers, convolutionalLayers,
                        poolingLayers, regularizationLayers,
                        sequenceLayers, recurrentLayers}) {
      std::vector<LayerSpec> layers = family();
      all.insert(all.end(), layers.begin(), layers.end());
    }
    return all;
  }();
  return kLayers;
}

const LayerSpec *nnc::lookupLayer(llvm::StringRef name) {
  for (const LayerSpec &spec : builtinLayers())
    if (spec.name == name)
      return &spec;
  return nullptr;
}

std::string nnc::closestMatch(llvm::StringRef name,
                              llvm::ArrayRef<std::string> candidates) {
  std::string best;
  unsigned bestDistance = 3; // farther than this is not a typo
  for (const std::string &c : candidates) {
    unsigned d = name.edit_distance(c, /*AllowReplacements=*/true,
                                    /*MaxEditDistance=*/bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

static std::string kindDescription(const ArgSpec &spec) {
  switch (spec.kind) {
  case ArgKind::PositiveInt: return "a positive integer";
  case ArgKind::Int: return "an integer";
  case ArgKind::Float: return "a number";
  case ArgKind::Probability: return "a number in [0, 1)";
  case ArgKind::Bool: return "true or false";
  case ArgKind::String: return "a string";
  case ArgKind::Activation:
    return "an activation (" + llvm::join(activationNames(), ", ") + ")";
  case ArgKind::Initializer:
    return "an initializer (" + llvm::join(nn::userInitializers(), ", ") +
           ")";
  case ArgKind::Shape: return "a list of positive integers such as [28, 28]";
  case ArgKind::Pair:
    return "a positive integer or a list of two, such as 3 or [3, 3]";
  case ArgKind::Borders:
    return "a non-negative integer, [rows, columns] or "
           "[[top, bottom], [left, right]]";
  case ArgKind::Choice:
    return "one of " + llvm::join(spec.choices, ", ");
  }
  return "a value";
}

/// Converts `v` to what `kind` wants (ints widen to floats, words normalise
/// to strings) or returns false.
static bool coerce(ConstValue &v, const ArgSpec &spec) {
  using K = ConstValue::Kind;
  ArgKind kind = spec.kind;
  auto isInt = [](const ConstValue &e, int64_t min) {
    return e.kind == K::Int && e.i >= min;
  };
  switch (kind) {
  case ArgKind::PositiveInt:
    return v.kind == K::Int && v.i > 0;
  case ArgKind::Int:
    return v.kind == K::Int;
  case ArgKind::Float:
  case ArgKind::Probability:
    if (!v.isNumber())
      return false;
    v.kind = K::Float; // f already holds the value for ints
    return kind == ArgKind::Float || (v.f >= 0.0 && v.f < 1.0);
  case ArgKind::Bool:
    return v.kind == K::Bool;
  case ArgKind::String:
    return v.kind == K::String;
  case ArgKind::Activation:
  case ArgKind::Initializer: {
    if (!v.isWord())
      return false;
    bool known = kind == ArgKind::Activation
                     ? llvm::is_contained(activationNames(), v.s)
                     : nn::isIn(nn::userInitializers(), v.s);
    if (known)
      v.kind = K::String;
    return known;
  }
  case ArgKind::Shape:
    if (v.kind != K::List || v.list.empty())
      return false;
    return llvm::all_of(v.list, [](const ConstValue &e) {
      return e.kind == K::Int && e.i > 0;
    });
  case ArgKind::Pair:
    return isInt(v, 1) || (v.kind == K::List && v.list.size() == 2 &&
                           isInt(v.list[0], 1) && isInt(v.list[1], 1));
  case ArgKind::Borders:
    if (isInt(v, 0))
      return true;
    if (v.kind != K::List || v.list.size() != 2)
      return false;
    return llvm::all_of(v.list, [&](const ConstValue &e) {
      return isInt(e, 0) || (e.kind == K::List && e.list.size() == 2 &&
                             isInt(e.list[0], 0) && isInt(e.list[1], 0));
    }) && v.list[0].kind == v.list[1].kind;
  case ArgKind::Choice:
    if (!v.isWord() || !llvm::is_contained(spec.choices, v.s))
      return false;
    v.kind = K::String;
    return true;
  }
  return false;
}

std::optional<BoundArgs> nnc::bindArguments(const LayerSpec &spec,
                                            llvm::ArrayRef<ArgValue> args,
                                            llvm::SMLoc callLoc,
                                            DiagnosticEngine &diags) {
  BoundArgs bound;
  std::map<std::string, llvm::SMLoc> seen;
  bool ok = true;
  size_t numPositionalParams = 0;
  for (const ArgSpec &a : spec.args)
    numPositionalParams += !a.keywordOnly;
  size_t numPositional = 0;
  for (const ArgValue &arg : args)
    numPositional += arg.name.empty();

  size_t positional = 0;
  bool sawNamed = false;
  for (const ArgValue &arg : args) {
    const ArgSpec *target = nullptr;
    if (arg.name.empty()) {
      if (sawNamed) {
        diags.error(arg.nameLoc,
                    "positional argument after a named argument in '" +
                        spec.name + "'");
        ok = false;
        continue;
      }
      if (positional >= numPositionalParams) {
        // Report once, at the first argument too many.
        if (positional++ == numPositionalParams)
          diags.error(arg.nameLoc,
                      "'" + spec.name + "' takes " +
                          (numPositionalParams ? "at most " : "") +
                          std::to_string(numPositionalParams) +
                          " positional argument" +
                          (numPositionalParams == 1 ? "" : "s") + ", got " +
                          std::to_string(numPositional));
        ok = false;
        continue;
      }
      target = &spec.args[positional++];
    } else {
      sawNamed = true;
      for (const ArgSpec &a : spec.args)
        if (a.name == arg.name)
          target = &a;
      if (!target) {
        std::vector<std::string> names;
        for (const ArgSpec &a : spec.args)
          names.push_back(a.name);
        std::string hint = closestMatch(arg.name, names);
        diags.error(arg.nameLoc,
                    "'" + spec.name + "' has no argument '" + arg.name + "'" +
                        (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
        ok = false;
        continue;
      }
    }
    if (seen.count(target->name)) {
      diags.error(arg.nameLoc, "argument '" + target->name + "' of '" +
                                   spec.name + "' is given twice");
      ok = false;
      continue;
    }
    seen[target->name] = arg.nameLoc;
    ConstValue v = arg.value;
    if (!coerce(v, *target)) {
      diags.error(arg.value.loc, spec.name + " expects '" + target->name +
                                     "' to be " +
                                     kindDescription(*target) + ", got " +
                                     arg.value.str());
      ok = false;
      continue;
    }
    bound[target->name] = v;
  }
  // After a bad argument a "missing argument" error would only repeat it.
  for (const ArgSpec &a : spec.args) {
    if (!ok)
      break;
    if (bound.count(a.name) || seen.count(a.name))
      continue;
    if (!a.defaultValue) {
      diags.error(callLoc, "'" + spec.name + "' needs argument '" + a.name +
                               "' (" + kindDescription(a) + ")");
      ok = false;
      continue;
    }
    bound[a.name] = *a.defaultValue;
  }
  if (!ok)
    return std::nullopt;
  return bound;
}

std::array<int64_t, 2> nnc::pairOf(const ConstValue &v) {
  if (v.kind == ConstValue::Kind::List)
    return {v.list[0].i, v.list[1].i};
  return {v.i, v.i};
}

std::array<int64_t, 4> nnc::bordersOf(const ConstValue &v) {
  if (v.kind != ConstValue::Kind::List)
    return {v.i, v.i, v.i, v.i};
  std::array<int64_t, 2> rows = pairOf(v.list[0]), cols = pairOf(v.list[1]);
  if (v.list[0].kind != ConstValue::Kind::List) // [rows, cols]: symmetric
    return {v.list[0].i, v.list[0].i, v.list[1].i, v.list[1].i};
  return {rows[0], rows[1], cols[0], cols[1]};
}

llvm::ArrayRef<std::string> nnc::layerChoiceWords() {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> all;
    for (const LayerSpec &layer : builtinLayers())
      for (const ArgSpec &arg : layer.args)
        for (const std::string &w : arg.choices)
          if (!llvm::is_contained(all, w))
            all.push_back(w);
    return all;
  }();
  return words;
}
