#!/usr/bin/env python3
"""Compile time against model size: prints a table.

Times `nnc model.nn -o exe` (parse to linked training executable, at nnc's
default level, -O2) for generated models of
growing size, the median of --runs runs,
and the part spent before LLVM (`--emit=mlir-llvm`). Families:

  dense-same    N x dense(64, relu) + softmax, trained with Adam: equal
                layers, whose kernels nnc-deduplicate-kernels shares
  dense-varied  N dense layers of distinct widths (48..111): no two layers
                share a kernel, the worst case for a deep stack
  chain         N elementwise adds in a row (fusion's cost)

Target (issue 11): 10,000 elementwise ops and 100 dense layers in < 30 s.

    compile-time.py [--nnc build/bin/nnc] [--runs 3] [--quick]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--nnc", default=os.path.join(root, "build", "bin", "nnc"))
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--opt", default=None, help="LLVM level, -O (default: nnc's)")
ap.add_argument("--quick", action="store_true", help="small sizes only")
args = ap.parse_args()


def dense(n, widths):
    layers = "\n".join(f"    dense({widths(i)}, activation: relu)"
                       for i in range(n))
    return (f"model deep(x: f32[32]) {{\n{layers}\n"
            "    dense(10, activation: softmax)\n}\n"
            "train deep {\n    loss: categorical_crossentropy\n"
            "    optimizer: adam(learning_rate: 0.001)\n"
            "    batch: 32, epochs: 1\n}\n")


def chain(n):
    body = "".join(f"    h{i + 1} = h{i} + 1\n" for i in range(n))
    return f"model m(x: f32[3]) -> f32[3] {{\n    h0 = x\n{body}    return h{n}\n}}\n"


families = [
    ("dense-same", lambda n: dense(n, lambda i: 64),
     [1, 10, 25, 50] if args.quick else [1, 10, 25, 50, 100, 200]),
    ("dense-varied", lambda n: dense(n, lambda i: 48 + i % 64),
     [1, 10, 25] if args.quick else [1, 10, 25, 50, 100]),
    ("chain", chain,
     [100, 1000] if args.quick else [100, 1000, 5000, 10000, 20000]),
]

work = tempfile.mkdtemp(prefix="nnc-compile-time-")


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


print(f"{'model':<14}{'size':>7}{'compile s':>11}{'before LLVM s':>15}"
      f"{'s per unit':>12}")
for name, make, sizes in families:
    for n in sizes:
        src = os.path.join(work, f"{name}-{n}.nn")
        with open(src, "w") as f:
            f.write(make(n))
        exe = os.path.join(work, f"{name}-{n}")
        full = statistics.median(
            timed([args.nnc, src, "-o", exe] +
                  ([f"-O{args.opt}"] if args.opt else []))
            for _ in range(args.runs))
        mlir = timed([args.nnc, src, "--emit=mlir-llvm", "-o", os.devnull])
        print(f"{name:<14}{n:>7}{full:>11.2f}{mlir:>15.2f}{full / n:>12.4f}",
              flush=True)
