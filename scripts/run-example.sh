#!/usr/bin/env bash
# The main job: installs what is missing, builds nnc, compiles the iris
# classifier (examples/iris/iris.nn) into a training executable, trains it
# on the real iris data (a stratified 80/20 split, standardised as the course
# does), evaluates it on the held-out fifth and writes the loss and accuracy
# curves. The compiler's stages are scripts/show-stages.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
build="${NNC_BUILD_DIR:-$root/build}"
work="${NNC_EXAMPLE_DIR:-$root/build/iris-example}"
mkdir -p "$work"

echo "== examples/iris/iris.nn"
cat "$root/examples/iris/iris.nn"
echo
echo "== nnc examples/iris/iris.nn -o $work/iris"
"$build/bin/nnc" "$root/examples/iris/iris.nn" -o "$work/iris"
python3 "$root/examples/iris/split.py" "$root/examples/iris/data/iris.csv" \
  "$work" --seed 0
echo
echo "== iris train --data train.csv   (120 flowers; the last fifth validates)"
"$work/iris" train --data "$work/train.csv" --save "$work/iris.safetensors" \
  --history "$work/history"
echo
echo "== iris evaluate on the 30 held-out flowers"
"$work/iris" evaluate --weights "$work/iris.safetensors" --data "$work/test.csv"
echo
echo "curves: $work/history.svg (also .csv, .json); weights: $work/iris.safetensors"
