#!/usr/bin/env bash
# The test command: installs what is missing, builds everything and runs the
# whole suite (lit regression tests and GoogleTest unit tests) through ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
build="${NNC_BUILD_DIR:-$root/build}"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
