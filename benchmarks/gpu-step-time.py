#!/usr/bin/env python3
"""Training steps on a CUDA GPU: nnc against PyTorch eager, in one run.

Runs on the GPU machine, from executables built elsewhere with
`nnc --target=cuda` (benchmarks/gpu-bench.sh builds them and this
script's data): iris (the course's fit: 200 epochs, batch 8, validation
split 0.2), the MLP 784-256-128-10 (batch 64, Adam, 6,400 random samples),
and the physics-informed ODE (ode1: 100 collocation points, full batch, the
loss on dg/dx, 2,000 steps). nnc runs `train --device cuda` (and `--device
cpu` for reference); its time per step is the whole fit's (the fit line's
total over its steps: batch gathering, validation and the parameters'
download included; the kernels are JIT-compiled when the device is chosen,
before the fit); the
PyTorch peer trains the same model with the same batch for the same number
of steps, synchronising once at the end. Rounds alternate; the table gives
medians and peer / nnc (> 1: nnc is faster).

    gpu-step-time.py --bin DIR [--rounds 3]
"""
import argparse
import os
import re
import statistics
import subprocess
import time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--rounds", type=int, default=3)
args = ap.parse_args()
B = args.bin


def nnc(exe, train_args, device):
    r = subprocess.run([os.path.join(B, exe), "train", *train_args,
                        "--device", device, "--verbose", "0"],
                       capture_output=True, text=True, check=True)
    # The whole fit per step (batch gathering, validation, the epoch-end
    # download of the parameters included), as the peer's loop is timed;
    # not the fit line's "us per step", which counts the compiled steps only.
    m = re.search(r"in ([0-9.]+) ms; ([0-9]+) train steps", r.stdout + r.stderr)
    return float(m.group(1)) * 1e3 / int(m.group(2))


def torch_iris(steps_per_epoch=12, epochs=200):
    import torch
    dev = "cuda"
    g = torch.Generator(device="cpu").manual_seed(0)
    x = torch.randn(120, 4, generator=g).to(dev)
    y = torch.nn.functional.one_hot(torch.randint(0, 3, (120,), generator=g), 3).float().to(dev)
    xt, yt, xv, yv = x[:96], y[:96], x[96:], y[96:]
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                torch.nn.Linear(8, 3)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(96, device=dev)
        for s in range(steps_per_epoch):
            idx = perm[s * 8:(s + 1) * 8]
            opt.zero_grad()
            loss = lossf(model(xt[idx]), yt[idx].argmax(1))
            loss.backward()
            opt.step()
        with torch.no_grad():
            lossf(model(xv), yv.argmax(1))
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / (epochs * steps_per_epoch) * 1e6


def torch_mlp(steps=500):
    import torch
    dev = "cuda"
    x = torch.randn(6400, 784, device=dev)
    y = torch.randint(0, 10, (6400,), device=dev)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
        torch.nn.ReLU(), torch.nn.Linear(128, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for s in range(steps):
        if s % 100 == 0:
            perm = torch.randperm(6400, device=dev)
        idx = perm[(s % 100) * 64:(s % 100 + 1) * 64]
        opt.zero_grad()
        lossf(model(x[idx]), y[idx]).backward()
        opt.step()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / steps * 1e6


def torch_pinn(steps=2000):
    import torch
    dev = "cuda"
    x = torch.linspace(0, 2, 100, device=dev).reshape(100, 1)
    net = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(),
                              torch.nn.Linear(32, 32), torch.nn.Tanh(),
                              torch.nn.Linear(32, 1)).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        xs = x.clone().requires_grad_(True)
        g = 1 + xs * net(xs)
        (dg,) = torch.autograd.grad(g.sum(), xs, create_graph=True)
        loss = ((dg - 2 * xs) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / steps * 1e6


WORK = {
    "iris fit (batch 8)": (("iris", ["--data", os.path.join(B, "iris-train.csv"),
                                      "--seed", "0", "--epochs", "200"]),
                           torch_iris),
    "MLP 784-256-128-10 step (batch 64)": (
        ("mlp", ["--x", os.path.join(B, "mlp_x.npy"), "--y",
                 os.path.join(B, "mlp_y.npy"), "--seed", "0", "--epochs", "5"]),
        torch_mlp),
    "physics-informed ODE step (2000 steps)": (
        ("ode1", ["--data", os.path.join(B, "pts100.csv"), "--seed", "0",
                  "--epochs", "2000"]), torch_pinn),
}

import torch  # noqa: E402

print("device:", torch.cuda.get_device_name(0), "| torch", torch.__version__)
torch_pinn(50), torch_mlp(50), torch_iris(12, 2)  # warm-up (cuBLAS, allocator)
rows = []
for name, ((exe, targs), peer) in WORK.items():
    t = {"nnc cuda": [], "nnc cpu": [], "torch eager cuda": []}
    for _ in range(args.rounds):
        t["nnc cuda"].append(nnc(exe, targs, "cuda"))
        t["nnc cpu"].append(nnc(exe, targs, "cpu"))
        t["torch eager cuda"].append(peer())
    rows.append((name, {k: statistics.median(v) for k, v in t.items()}))

print("\n| workload | nnc cuda (us/step) | nnc cpu | torch eager cuda | torch / nnc cuda |")
print("| --- | --- | --- | --- | --- |")
for name, m in rows:
    print("| %s | %.1f | %.1f | %.1f | %.2f |" % (
        name, m["nnc cuda"], m["nnc cpu"], m["torch eager cuda"],
        m["torch eager cuda"] / m["nnc cuda"]))
