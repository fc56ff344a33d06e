//===- Link.cpp - the system C compiler driver as linker ------------------===//
//
// The C compiler driver knows the platform's crt files, libc and default
// search paths, which is why it links rather than ld directly. Executables
// get the runtime (libnnrt.a, C++ inside, hence libstdc++) and libm; shared
// libraries libm and the scratch arena (libnnrt_scratch.a), since the
// loading process supplies the rest of the runtime.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/nnc/Link.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Program.h"

using namespace llvm;

bool nnc::TempObject::create(std::string &error) {
  int fd;
  SmallString<128> path;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("nnc-model", "o", fd, path)) {
    error = "cannot create a temporary object file: " + ec.message();
    return false;
  }
  file = path.str().str();
  os = std::make_unique<raw_fd_ostream>(fd, /*shouldClose=*/true);
  return true;
}

nnc::TempObject::~TempObject() {
  os.reset();
  if (!file.empty())
    sys::fs::remove(file);
}

std::string nnc::defaultRuntimeDir(const char *argv0) {
  std::string exe =
      sys::fs::getMainExecutable(argv0, (void *)&defaultRuntimeDir);
  SmallString<256> dir(sys::path::parent_path(sys::path::parent_path(exe)));
  sys::path::append(dir, "lib");
  return dir.str().str();
}

bool nnc::runLinker(const LinkRequest &r, std::string &error) {
  const char *envCC = std::getenv("NNC_CC");
  std::string cc = envCC && *envCC ? envCC : NNC_DEFAULT_CC;
  ErrorOr<std::string> program = sys::findProgramByName(cc);
  if (!program) {
    error = "cannot find the C compiler driver '" + cc +
            "' to link with (set NNC_CC)";
    return false;
  }
  std::vector<std::string> args{cc};
  args.insert(args.end(), r.objects.begin(), r.objects.end());
  args.insert(args.end(), {"-o", r.output});
  // The shared library gets the compiled code's temporaries (the arena
  // alone, runtime/src/Scratch.cpp), so it does not depend on the loading
  // process exporting them; an executable the whole runtime.
  SmallString<256> lib(r.runtimeDir);
  sys::path::append(lib, r.shared ? "libnnrt_scratch.a" : "libnnrt.a");
  if (!sys::fs::exists(lib)) {
    error = "cannot find the runtime library '" + lib.str().str() +
            "' (use --runtime-dir)";
    return false;
  }
  args.push_back(lib.str().str());
  if (r.shared) {
    args.insert(args.begin() + 1, "-shared");
  } else {
    args.push_back("-lstdc++");
    args.push_back("-ldl");
    args.push_back("-lz"); // gzip-compressed data files
    // The runtime is built with one section per function: keep only what
    // this executable calls.
    args.push_back("-Wl,--gc-sections");
  }
  args.push_back("-lm");
  // gold links an executable in a quarter of the time of the default BFD
  // linker (0.02 against 0.09 s for iris, most of what is left of a small
  // model's build); binutils installs it beside ld.
  if (sys::findProgramByName("ld.gold"))
    args.push_back("-fuse-ld=gold");
  // A sanitizer build's runtime is instrumented: the executable links the
  // sanitizer runtimes of the same compiler (NNC_DEFAULT_CC is then it).
  for (StringRef flag : split(NNC_RUNTIME_LINK_FLAGS, ' '))
    if (!flag.empty())
      args.push_back(flag.str());

  SmallString<128> log;
  sys::fs::createTemporaryFile("nnc-link", "log", log);
  std::optional<StringRef> redirects[] = {std::nullopt, log.str(), log.str()};
  std::vector<StringRef> argRefs(args.begin(), args.end());
  std::string execError;
  int rc = sys::ExecuteAndWait(*program, argRefs, std::nullopt, redirects, 0,
                               0, &execError);
  std::string output;
  if (auto buf = MemoryBuffer::getFile(log))
    output = (*buf)->getBuffer().str();
  sys::fs::remove(log);
  if (rc != 0) {
    error = "linking '" + r.output + "' failed";
    for (const std::string &a : args)
      error += (&a == &args.front() ? ": " : " ") + a;
    if (!execError.empty())
      error += "\n" + execError;
    if (!output.empty())
      error += "\n" + output;
    return false;
  }
  return true;
}
