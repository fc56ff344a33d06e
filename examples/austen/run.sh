#!/usr/bin/env bash
# Which Jane Austen novel is a passage from: fetches Debian's
# r-cran-janeaustenr (the novels' text; only unpacked, R is not needed),
# cuts passages (prepare.py), trains austen_lstm.nn (embedding, bidirectional
# LSTM, softmax) and the bag-of-embeddings baseline austen_bag.nn with nnc,
# evaluates both on the held-out passages, then trains the same two networks
# in Keras 3 (JAX, CPU) in the same run.
#   run.sh [NNC] [EPOCHS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
nnc="${1:-$root/build/bin/nnc}"
epochs="${2:-}"
cache="${NNC_DATA_CACHE:-$HOME/.cache/nnc/data}/janeaustenr"
package="$cache/usr/lib/R/site-library/janeaustenr/data"
if [ ! -f "$package/Rdata.rdb" ]; then
  mkdir -p "$cache"
  (cd "$cache" && apt-get download -o APT::Sandbox::User=root r-cran-janeaustenr >/dev/null &&
     dpkg -x r-cran-janeaustenr_*.deb .)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/prepare.py" "$package" "$work/data"
for net in lstm bag; do
  "$nnc" "$here/austen_$net.nn" -o "$work/austen_$net"
  "$work/austen_$net" summary
  "$work/austen_$net" train --x "$work/data/train.x.npy" \
    --y "$work/data/train.y.npy" ${epochs:+--epochs "$epochs"} --verbose 2 \
    --validation-x "$work/data/test.x.npy" \
    --validation-y "$work/data/test.y.npy" \
    --save "$work/$net.safetensors" --history "$work/$net"
  echo "held out ($net):"
  "$work/austen_$net" evaluate --weights "$work/$net.safetensors" \
    --x "$work/data/test.x.npy" --y "$work/data/test.y.npy"
  cp "$work/$net.svg" "$here/history-$net.svg" 2>/dev/null || true
done
echo "keras:"
"$(bash "$root/scripts/install-python.sh")" "$here/keras_austen.py" \
  "$work/data" ${epochs:+--epochs "$epochs"}
