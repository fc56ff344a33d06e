#!/usr/bin/env bash
# Creates (once) the Python venv the Keras parity test and the examples'
# comparison scripts use, with the pinned packages of
# tests/parity/requirements.txt from PyPI, and prints its python path.
# The venv lives outside the clone (NNC_VENV, default ~/.cache/nnc/venv-<hash
# of the requirements>), so clean clones on one machine share it; a change
# of the requirements makes a new one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/tests/parity/requirements.txt"
hash=$(sha256sum "$req" | cut -c1-12)
venv="${NNC_VENV:-$HOME/.cache/nnc/venv-$hash}"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  echo "install-python: creating $venv (keras, jax from PyPI)" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    -r "$req" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/python"
