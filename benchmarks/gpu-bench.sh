#!/bin/bash
# Builds what benchmarks/gpu-step-time.py runs on a GPU machine: the three
# models compiled with --target=cuda and their data, in build/gpu-bench
# (carried to the machine by the device tool; run there:
#   python3 benchmarks/gpu-step-time.py --bin build/gpu-bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/gpu-bench
nnc=$root/build/bin/nnc
mkdir -p "$out"
"$nnc" "$root/examples/iris/iris.nn" --target=cuda -o "$out/iris"
"$nnc" "$root/benchmarks/models/mlp.nn" --target=cuda -o "$out/mlp"
"$nnc" "$root/examples/ode/ode1.nn" --target=cuda -o "$out/ode1"
python3 "$root/examples/iris/split.py" "$root/examples/iris/data/iris.csv" "$out/iris-split" --seed 0 > /dev/null
cp "$out/iris-split/train.csv" "$out/iris-train.csv"
python3 - "$out" <<'PY'
import random, struct, sys
out = sys.argv[1]
def npy(path, rows, cols, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    header += " " * (63 - len(header) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % (rows * cols), *values))
r = random.Random(0)
npy(out + "/mlp_x.npy", 6400, 784, [r.gauss(0, 1) for _ in range(6400 * 784)])
labels = [r.randrange(10) for _ in range(6400)]
npy(out + "/mlp_y.npy", 6400, 10, [1.0 if j == l else 0.0 for l in labels for j in range(10)])
with open(out + "/pts100.csv", "w") as f:
    f.write("x\n")
    for i in range(100):
        f.write("%r\n" % (2 * i / 99))
PY
cp "$root/benchmarks/gpu-step-time.py" "$out/"
echo "built $out"
