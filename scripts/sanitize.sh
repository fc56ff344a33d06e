#!/usr/bin/env bash
# The sanitizer suite: the whole project (compiler, runtime, tests) built in
# build-asan/ with AddressSanitizer and UBSan (-fno-sanitize-recover), then
# every test except the Keras parity run (its numerics are the ordinary
# build's; under ASan it would take most of an hour). Generated executables
# link the instrumented runtime, so the runtime's CLI paths run under the
# sanitizers too. Then 15 s of each libFuzzer target (scripts/fuzz.sh).
# Leak checking is off: MLIR keeps its context's storage alive until exit
# by design.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NNC_BUILD_DIR="${NNC_ASAN_BUILD_DIR:-$root/build-asan}"
# The packages first: configuring below needs cmake and clang (on a fresh
# machine this script may run before any other).
bash "$root/scripts/install-deps.sh"
if [ ! -f "$NNC_BUILD_DIR/build.ninja" ]; then
  mkdir -p "$NNC_BUILD_DIR"
  # build.sh configures on first use; seed the cache with the option.
  cmake -G Ninja -S "$root" -B "$NNC_BUILD_DIR" -DNNC_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
    -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++ \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
fi
bash "$root/scripts/build.sh"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$NNC_BUILD_DIR" --output-on-failure -j "$(nproc)" \
  -E '^keras-parity$'
# Short fuzz runs of every libFuzzer target (their regression inputs first).
bash "$root/scripts/fuzz.sh" "${NNC_FUZZ_SECONDS:-15}"
