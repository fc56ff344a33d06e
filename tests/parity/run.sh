#!/usr/bin/env bash
# ctest's keras-parity test: the compiled train step of 200 random networks
# x every optimizer against Keras 3 (JAX, CPU) and the f64 reference, 10
# steps each. Installs its Python venv first (scripts/install-python.sh);
# it never skips: without Keras there is no oracle, and the test fails.
#   run.sh NNC NNC_TRAINPARITY WORKDIR [keras_parity.py options]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nnc="$1" tool="$2" work="$3"
shift 3
python="$(bash "$here/../../scripts/install-python.sh")"
rm -rf "$work"
exec "$python" "$here/keras_parity.py" --nnc "$nnc" --tool "$tool" \
  --work "$work" "$@"
