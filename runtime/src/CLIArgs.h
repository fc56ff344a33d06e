//===- CLIArgs.h - the generated executable's argument parsing ------------===//

#ifndef NNRT_SRC_CLIARGS_H
#define NNRT_SRC_CLIARGS_H

#include "nnrt.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace nnrt {

struct Args {
  std::vector<std::pair<std::string, std::string>> options;
  bool help = false;
  std::string error;

  const char *get(const char *name) const {
    for (const auto &o : options)
      if (o.first == name)
        return o.second.c_str();
    return nullptr;
  }
  /// Every value of an option given more than once (--x a.npy --x b.npy).
  std::vector<std::string> getAll(const char *name) const {
    std::vector<std::string> values;
    for (const auto &o : options)
      if (o.first == name)
        values.push_back(o.second);
    return values;
  }
};

/// Options that take no value (get() returns "" when given).
inline const std::vector<std::string> &flagOptions() {
  static const std::vector<std::string> flags = {"target-is-input"};
  return flags;
}

/// --name value pairs; `allowed` lists the names this subcommand takes.
inline Args parse(int argc, char **argv, int first,
           const std::vector<std::string> &allowed) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      a.help = true;
      continue;
    }
    std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2) : "";
    std::string value;
    size_t eq = name.find('=');
    bool inlineValue = eq != std::string::npos;
    if (inlineValue) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    bool known = false;
    for (const std::string &n : allowed)
      known |= n == name;
    if (!known) {
      a.error = "unknown argument '" + arg + "'";
      return a;
    }
    bool flag = false;
    for (const std::string &f : flagOptions())
      flag |= f == name;
    if (flag) {
      if (inlineValue) {
        a.error = "--" + name + " takes no value";
        return a;
      }
    } else if (!inlineValue) {
      if (i + 1 >= argc) {
        a.error = "--" + name + " needs a value";
        return a;
      }
      value = argv[++i];
    }
    a.options.push_back({name, value});
  }
  return a;
}

/// Numeric options: a clear usage error (exit 2) for anything malformed.
inline bool readNumber(const Args &a, const char *name, double &out,
                std::string &error) {
  const char *s = a.get(name);
  if (!s)
    return true;
  char *end = nullptr;
  double v = std::strtod(s, &end);
  if (*s == '\0' || *end != '\0' || !std::isfinite(v)) {
    error = std::string("--") + name + " takes a number, got '" + s + "'";
    return false;
  }
  out = v;
  return true;
}

/// Counts above this are refused before any conversion: 2^53, the largest
/// range where every integer is a double (and far beyond any data set).
constexpr double kMaxCount = 9007199254740992.0;

inline bool readCount(const Args &a, const char *name, int64_t &out, int64_t min,
               std::string &error) {
  double v = static_cast<double>(out);
  if (!readNumber(a, name, v, error))
    return false;
  if (v != std::floor(v) || v < static_cast<double>(min) || v > kMaxCount) {
    // Without the option, the bad value is the .nn file's default.
    error = a.get(name) ? std::string("--") + name + " takes an integer in [" +
                              std::to_string(min) + ", 2^53], got '" +
                              a.get(name) + "'"
                        : std::string("the model's ") + name + " setting (" +
                              std::to_string(out) + ") must be >= " +
                              std::to_string(min);
    return false;
  }
  out = static_cast<int64_t>(v);
  return true;
}

inline bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

/// Subcommands defined in CLITrain.cpp.
int cliTrain(const char *prog, nnrt_model *model, const Args &a,
             nnrt_status *st);
int cliEvaluate(const char *prog, nnrt_model *model, const Args &a,
                nnrt_status *st);
extern const std::vector<std::string> kTrainOptions, kEvaluateOptions;

} // namespace nnrt

#endif // NNRT_SRC_CLIARGS_H
