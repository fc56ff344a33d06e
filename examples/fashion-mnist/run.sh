#!/usr/bin/env bash
# Trains fashion.nn on the real Fashion-MNIST from its IDX files (Debian's
# dataset-fashion-mnist), evaluates it on the 10,000 test images, then
# trains the same network in Keras 3 (JAX, CPU) in the same run.
#   run.sh [NNC] [DATA_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
nnc="${1:-$root/build/bin/nnc}"
data="${2:-/usr/share/datasets/fashion-mnist}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$nnc" "$here/fashion.nn" -o "$work/fashion"
"$work/fashion" train --x "$data/train-images-idx3-ubyte.gz" \
  --y "$data/train-labels-idx1-ubyte.gz" --save "$work/w.safetensors"
echo "test:"
"$work/fashion" evaluate --weights "$work/w.safetensors" \
  --x "$data/t10k-images-idx3-ubyte.gz" --y "$data/t10k-labels-idx1-ubyte.gz"
echo "keras:"
"$(bash "$root/scripts/install-python.sh")" "$here/keras_fashion.py" --data "$data"
