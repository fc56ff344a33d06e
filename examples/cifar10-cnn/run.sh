#!/usr/bin/env bash
# Compiles the course's CIFAR-10 network, prints its summary, and trains and
# evaluates it on CIFAR-10's binary format. The real data set cannot be
# downloaded on the project's machines, so by default this writes
# generated batches in that format (make_batches.py: 5,000 training and
# 1,000 test images of shapes and colours); with a real download, pass the
# directory that holds cifar-10-batches-bin's files.
#   run.sh [NNC] [CIFAR_DIR] [EPOCHS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
nnc="${1:-$root/build/bin/nnc}"
dir="${2:-}"
epochs="${3:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "$dir" ]; then
  cat "$dir"/data_batch_*.bin > "$work/train.bin"
  cp "$dir/test_batch.bin" "$work/test.bin"
else
  python3 "$here/make_batches.py" "$work/train.bin" 5000 --seed 1
  python3 "$here/make_batches.py" "$work/test.bin" 1000 --seed 2
fi
"$nnc" "$here/cifar10.nn" -o "$work/cifar10"
"$work/cifar10" summary
"$work/cifar10" train --data "$work/train.bin" --epochs "$epochs" --verbose 2 \
  --save "$work/w.safetensors"
echo "test:"
"$work/cifar10" evaluate --weights "$work/w.safetensors" --data "$work/test.bin"
