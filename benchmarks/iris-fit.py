#!/usr/bin/env python3
"""The iris fit benchmark: 200 epochs of the seed course's network.

Times `iris train` (the compiled train step driven by the runtime's loop)
over several runs and prints the median fit time (the epoch loop: shuffling,
batching, compiled steps and validation; not process start, data loading,
printing or checkpoints) and the time per training step. Target: <= 20 ms
for the whole fit. When PyTorch is installed, the same network, data and
settings are timed in eager mode in the same run.

    iris-fit.py [--nnc build/bin/nnc] [--runs 7]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--nnc", default=os.path.join(root, "build", "bin", "nnc"))
ap.add_argument("--runs", type=int, default=7)
args = ap.parse_args()

work = tempfile.mkdtemp(prefix="iris-bench-")
exe = os.path.join(work, "iris")
subprocess.run([args.nnc, os.path.join(root, "examples/iris/iris.nn"), "-o", exe],
               check=True)
subprocess.run([sys.executable, os.path.join(root, "examples/iris/split.py"),
                os.path.join(root, "examples/iris/data/iris.csv"), work,
                "--seed", "0"], check=True)
train_csv = os.path.join(work, "train.csv")

fits, steps = [], []
for run in range(args.runs):
    out = subprocess.run([exe, "train", "--data", train_csv, "--seed", str(run)],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"fit: (\d+) epochs in ([0-9.]+) ms; (\d+) train steps, "
                  r"([0-9.]+) us per step", out)
    fits.append(float(m.group(2)))
    steps.append(float(m.group(4)))

rows = [("nnc (compiled step + runtime loop)", statistics.median(fits),
         min(fits), max(fits), statistics.median(steps))]


def torch_fit():
    import torch
    torch.set_num_threads(1)
    data = [l.strip().split(",") for l in open(train_csv).readlines()[1:]]
    x = torch.tensor([[float(v) for v in r[:4]] for r in data])
    y = torch.tensor([int(r[4]) for r in data])
    split = int(len(x) * 0.8)
    xt, yt, xv, yv = x[:split], y[:split], x[split:], y[split:]
    times, per_step = [], []
    for run in range(args.runs):
        torch.manual_seed(run)
        model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                    torch.nn.Linear(8, 3))
        opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
        loss_fn = torch.nn.CrossEntropyLoss()
        n_steps = 0
        start = time.perf_counter()
        for epoch in range(200):
            perm = torch.randperm(split)
            for s in range(0, split, 8):
                idx = perm[s:s + 8]
                opt.zero_grad()
                loss = loss_fn(model(xt[idx]), yt[idx])
                loss.backward()
                opt.step()
                n_steps += 1
            with torch.no_grad():
                loss_fn(model(xv), yv)
        elapsed = time.perf_counter() - start
        times.append(elapsed * 1e3)
        per_step.append(elapsed * 1e6 / n_steps)
    return times, per_step


try:
    t, s = torch_fit()
    rows.append(("PyTorch eager (same network, data, settings)",
                 statistics.median(t), min(t), max(t), statistics.median(s)))
except ImportError:
    rows.append(("PyTorch eager: not installed on this machine", None, None,
                 None, None))

print("iris, 200 epochs, batch 8, Adam; %d runs each" % args.runs)
print("%-48s %10s %10s %10s %12s" % ("", "median ms", "min ms", "max ms",
                                     "us/step"))
for name, med, lo, hi, step in rows:
    if med is None:
        print(name)
    else:
        print("%-48s %10.2f %10.2f %10.2f %12.2f" % (name, med, lo, hi, step))
print("target: <= 20 ms for the whole fit")
