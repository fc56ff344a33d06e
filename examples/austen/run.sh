#!/usr/bin/env bash
# Two tasks on Jane Austen's novels: which novel a passage is from (novel:
# austen_lstm.nn, austen_bag.nn) and whether a sentence, its final mark
# removed, is a statement, a question or an exclamation (mood: mood_lstm.nn,
# mood_bag.nn). Fetches Debian's r-cran-janeaustenr (the novels' text; only
# unpacked, R is not needed), prepares each task (prepare.py), trains the
# bidirectional LSTM and the bag-of-embeddings baseline with nnc, evaluates
# both on the held-out text, then trains the same networks in Keras 3 (JAX,
# CPU) in the same run.
#   run.sh [NNC] [EPOCHS] [TASKS]     (TASKS: "mood novel", the default)
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
tasks="${3:-mood novel}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python="$(bash "$root/scripts/install-python.sh")"
for task in $tasks; do
  echo "== task: $task"
  data="$work/$task"
  python3 "$here/prepare.py" "$package" "$data" --task "$task"
  for net in lstm bag; do
    name="austen_$net"
    [ "$task" = mood ] && name="mood_$net"
    "$nnc" "$here/$name.nn" -o "$work/$name"
    "$work/$name" summary
    "$work/$name" train --x "$data/train.x.npy" \
      --y "$data/train.y.npy" ${epochs:+--epochs "$epochs"} --verbose 2 \
      --validation-x "$data/test.x.npy" \
      --validation-y "$data/test.y.npy" \
      --save "$work/$name.safetensors" --history "$work/$name"
    echo "held out ($task, $net):"
    "$work/$name" evaluate --weights "$work/$name.safetensors" \
      --x "$data/test.x.npy" --y "$data/test.y.npy"
    cp "$work/$name.svg" "$here/history-$name.svg" 2>/dev/null || true
  done
  echo "keras ($task):"
  "$python" "$here/keras_austen.py" "$data" --task "$task" \
    ${epochs:+--epochs "$epochs"}
done
