#!/usr/bin/env python3
"""Test accuracy of the iris example over ten seeds, as the issue asks.

For each seed 0..9: the stratified 80/20 split with standardised features
(split.py, seed s), `iris train` with the .nn file's settings (Adam 0.001,
batch 8, 200 epochs, validation split 0.2, seed s), then `iris evaluate` on
the held-out 20%. Prints every run, the median and the range.

    ten-seeds.py path/to/iris-executable [--work DIR]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("exe")
ap.add_argument("--work", default=None)
args = ap.parse_args()
work = args.work or tempfile.mkdtemp(prefix="iris-seeds-")
exe = os.path.abspath(args.exe)

accuracies = []
print("seed  test_loss  test_accuracy  fit_ms")
for seed in range(10):
    d = os.path.join(work, "seed%d" % seed)
    subprocess.run([sys.executable, os.path.join(here, "split.py"),
                    os.path.join(here, "data", "iris.csv"), d,
                    "--seed", str(seed)], check=True)
    w = os.path.join(d, "w.safetensors")
    log = subprocess.run([exe, "train", "--data", os.path.join(d, "train.csv"),
                          "--seed", str(seed), "--save", w],
                         check=True, capture_output=True, text=True).stdout
    fit_ms = float(re.search(r"fit: \d+ epochs in ([0-9.]+) ms", log).group(1))
    out = subprocess.run([exe, "evaluate", "--weights", w, "--data",
                          os.path.join(d, "test.csv")],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"loss: ([0-9.]+) - accuracy: ([0-9.]+)", out)
    loss, acc = float(m.group(1)), float(m.group(2))
    accuracies.append(acc)
    print("%4d  %9.4f  %13.4f  %6.1f" % (seed, loss, acc, fit_ms))
print("median test accuracy %.4f, range %.4f-%.4f (target: median >= 0.93)"
      % (statistics.median(accuracies), min(accuracies), max(accuracies)))
