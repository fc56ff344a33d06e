#!/usr/bin/env bash
# Configures and builds nnc in build/ (installing missing packages first).
# Uses clang-22 with lld and ccache: linking static MLIR libraries with GNU ld
# on a 2-core machine is the slowest step of a build, lld makes it seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-deps.sh

build="${NNC_BUILD_DIR:-$root/build}"
# Paths relative to the clone in ccache's hashes: a fresh clone elsewhere
# (CI's) hits the cache that earlier builds filled.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
llvm=/usr/lib/llvm-22
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$llvm/bin/clang" \
    -DCMAKE_CXX_COMPILER="$llvm/bin/clang++" \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DMLIR_DIR="$llvm/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$llvm/bin/lit"
fi
cmake --build "$build" "$@"
