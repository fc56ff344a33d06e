#!/usr/bin/env bash
# Fashion-MNIST with Gaussian noise (sigma 0.3) in, the clean image out:
# writes the arrays (noisy.py), compiles and trains denoise.nn on the
# 60,000 training pairs, denoises the 10,000 test images and reports their
# mean squared error against the noisy input's, with a picture
# (noisy / denoised / clean rows) in denoised.png next to this script.
#   run.sh [NNC] [DATA_DIR] [EPOCHS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
nnc="${1:-$root/build/bin/nnc}"
data="${2:-/usr/share/datasets/fashion-mnist}"
epochs="${3:-5}"
python="$(bash "$root/scripts/install-python.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" "$here/noisy.py" "$data" "$work"
"$nnc" "$here/denoise.nn" -o "$work/denoise"
"$work/denoise" summary
"$work/denoise" train --x "$work/train_noisy.npy" --y "$work/train_clean.npy" \
  --epochs "$epochs" --verbose 2 --save "$work/w.safetensors"
"$work/denoise" evaluate --weights "$work/w.safetensors" \
  --x "$work/test_noisy.npy" --y "$work/test_clean.npy"
"$work/denoise" predict --weights "$work/w.safetensors" \
  --input "$work/test_noisy.npy" --output "$work/denoised.npy"
"$python" "$here/report.py" "$work" "$work/denoised.npy" "$here/denoised.png"
