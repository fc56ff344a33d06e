#!/usr/bin/env bash
# Installs the Debian 12 packages nnc needs to build and test, and nothing else.
# Idempotent: packages already present are skipped, so repeated runs cost a
# few dpkg queries. LLVM/MLIR 22 live in Debian's bookworm-security suite.
set -euo pipefail

packages=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libclang-rt-22-dev libfuzzer-22-dev
  cmake ninja-build ccache libgtest-dev libbenchmark-dev python3 python3-venv
  zlib1g-dev
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
