#!/usr/bin/env bash
# The second example: builds nnc and compiles the iris classifier, printing
# each stage a user can inspect (the first, scripts/run-example.sh, trains it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
build="${NNC_BUILD_DIR:-$root/build}"
model="$root/examples/iris/iris.nn"

echo "== examples/iris/iris.nn"
cat "$model"
echo
echo "== nnc iris.nn --emit=ast   (the checked syntax tree)"
"$build/bin/nnc" "$model" --emit=ast
echo
echo "== nnc iris.nn --emit=nn    (the nn dialect, verified; locations point into iris.nn)"
"$build/bin/nnc" "$model" --emit=nn
