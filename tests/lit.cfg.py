# lit configuration for nnc's regression tests: `.nn` sources through the nnc
# driver and `.mlir` files through nnc-opt, checked with FileCheck.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "nnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".nn", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "tests")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "README.md"]

config.substitutions.append(("%nnc_src_root", config.nnc_src_root))
config.substitutions.append(("%nnc_obj_root", config.nnc_obj_root))
config.substitutions.append(("%python", "python3"))
config.substitutions.append(("%runtime_cc", config.nnc_runtime_cc))
config.substitutions.append(
    ("%expect_exit",
     "sh " + os.path.join(config.nnc_src_root, "tests", "Inputs",
                          "expect-exit.sh")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# Compiled code runs on one thread here: lit runs tests side by side, and
# the thread pool's idle workers (which spin for 200 us after each kernel)
# would compete with the other tests for the cores (the suite took 115 s
# instead of 81 s). The tests about threads, and the oracle tests that must
# cover the parallel kernels (Differential/models.test,
# Pipeline/packed-contractions.test), set their thread count themselves.
config.environment["NNC_NUM_THREADS"] = "1"
llvm_config.add_tool_substitutions(["nnc", "nnc-opt", "nnc-difftest", "nnc-trainparity"],
                                   [config.nnc_tools_dir])

# The host's architecture, for tests of x86-only behaviour (the MXCSR
# flush-to-zero mode, runtime/src/FloatMode.h).
import platform
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64")

# PTX is validated offline with the CUDA toolkit's assembler where it is
# installed (these machines: /usr/local/cuda); GPU execution needs a driver
# and a device (`REQUIRES: cuda`), which CI machines do not have.
import shutil as _shutil
_ptxas = os.environ.get("NNC_PTXAS") or _shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas" if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if _ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
if os.path.exists("/dev/nvidiactl") or os.path.exists("/proc/driver/nvidia/version"):
    config.available_features.add("cuda")
