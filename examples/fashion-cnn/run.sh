#!/usr/bin/env bash
# Trains fashion_cnn.nn on the real Fashion-MNIST from its IDX files
# (Debian's dataset-fashion-mnist), evaluates it on the 10,000 test images,
# predicts them, then trains the same network in Keras 3 (JAX, CPU) in the
# same run.
#   run.sh [NNC] [DATA_DIR] [EPOCHS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
nnc="${1:-$root/build/bin/nnc}"
data="${2:-/usr/share/datasets/fashion-mnist}"
epochs="${3:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$nnc" "$here/fashion_cnn.nn" -o "$work/fashion_cnn"
"$work/fashion_cnn" summary
"$work/fashion_cnn" train --x "$data/train-images-idx3-ubyte.gz" \
  --y "$data/train-labels-idx1-ubyte.gz" --epochs "$epochs" --verbose 2 \
  --save "$work/w.safetensors" --history "$work/history"
echo "test:"
"$work/fashion_cnn" evaluate --weights "$work/w.safetensors" \
  --x "$data/t10k-images-idx3-ubyte.gz" --y "$data/t10k-labels-idx1-ubyte.gz"
"$work/fashion_cnn" predict --weights "$work/w.safetensors" \
  --input "$data/t10k-images-idx3-ubyte.gz" --output "$work/p.npy"
echo "predicted $(stat -c %s "$work/p.npy") bytes of class probabilities"
cp "$work/history.svg" "$here/history.svg" 2>/dev/null || true
echo "keras:"
"$(bash "$root/scripts/install-python.sh")" "$here/keras_fashion_cnn.py" \
  --data "$data" --epochs "$epochs"
