#!/usr/bin/env python3
"""The error of the compiled exp, log, tanh and sigmoid (nnc-approximate-math:
inline polynomials; `nnc --exact-math`: libm) against the exact values,
computed in float64 by NumPy and rounded to float32. Each function runs over
a dense sweep of float32 inputs (2^20 points per range, plus the ends) through
a compiled model's `predict`; the table gives the worst error in units in the
last place (ULP) of the exact float32 result and the worst relative error.

    math-accuracy.py [--nnc build/bin/nnc] [--points 1048576]

Needs NumPy (the project's venv: scripts/install-python.sh).
"""
import argparse
import os
import subprocess
import tempfile

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--nnc", default=os.path.join(root, "build", "bin", "nnc"))
ap.add_argument("--points", type=int, default=1 << 20)
args = ap.parse_args()


def sweep(lo, hi, log=False):
    if log:
        x = np.exp(np.linspace(np.log(lo), np.log(hi), args.points))
    else:
        x = np.linspace(lo, hi, args.points)
    return np.unique(np.concatenate([x, [lo, hi]]).astype(np.float32))


# name, .nn expression, exact (float64), input ranges
FUNCTIONS = [
    ("exp", "exp(x)", np.exp, [sweep(-87.0, 88.0), sweep(-1.0, 1.0)]),
    ("log", "log(x)", np.log, [sweep(1e-37, 3e38, log=True), sweep(0.5, 2.0)]),
    ("tanh", "tanh(x)", np.tanh, [sweep(-10.0, 10.0), sweep(-0.01, 0.01)]),
    ("sigmoid", "sigmoid(x)", lambda v: 1 / (1 + np.exp(-v)),
     [sweep(-80.0, 80.0), sweep(-1.0, 1.0)]),
]


def ulps(got, want):
    """|got - want| in ULPs of want (float32), per element."""
    want32 = want.astype(np.float32)
    spacing = np.spacing(np.abs(want32)).astype(np.float64)
    return np.abs(got.astype(np.float64) - want) / spacing


work = tempfile.mkdtemp(prefix="nnc-math-")
print("%-8s %-6s %-22s %12s %12s" % ("function", "math", "inputs", "max ULP",
                                     "max rel err"))
for name, expr, exact, ranges in FUNCTIONS:
    src = os.path.join(work, name + ".nn")
    with open(src, "w") as f:
        f.write("model m(x: f32[1]) -> f32[1] { return %s }\n" % expr)
    for mode, flags in (("approx", []), ("libm", ["--exact-math"])):
        exe = os.path.join(work, "%s-%s" % (name, mode))
        subprocess.run([args.nnc, src, "-o", exe] + flags, check=True)
        weights = os.path.join(work, "w.safetensors")
        subprocess.run([exe, "init", "--output", weights], check=True)
        for x in ranges:
            xin, yout = os.path.join(work, "x.npy"), os.path.join(work, "y.npy")
            np.save(xin, x.reshape(-1, 1))
            subprocess.run([exe, "predict", "--weights", weights, "--input",
                            xin, "--output", yout], check=True)
            got = np.load(yout).reshape(-1)
            want = exact(x.astype(np.float64))
            err = ulps(got, want)
            rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)
            print("%-8s %-6s [%9.3g, %9.3g] %12.2f %12.2e" % (
                name, mode, x[0], x[-1], err.max(), rel.max()))
