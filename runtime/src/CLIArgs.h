//===- CLIArgs.h - the generated executable's argument parsing ------------===//

#ifndef NNRT_SRC_CLIARGS_H
#define NNRT_SRC_CLIARGS_H

#include "nnrt.h"

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
