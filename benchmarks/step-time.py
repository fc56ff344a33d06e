#!/usr/bin/env python3
"""Whole training steps and inference, nnc against its peers, in one run.

For each workload (benchmarks/peers.py lists them) nnc's compiled step
(benchmarks/step-time.c over an `nnc --shared` library) and each peer run
alternately, --rounds times, each run timing several blocks of calls; the
table gives the median time per call and each peer's time divided by
nnc's (> 1: nnc is faster). Everything is pinned to one CPU core and one
thread (--threads to change). The load average is printed with the table.

The peers (PyTorch, JAX, Keras) come from PyPI into a venv this script
creates once (~/.cache/nnc/bench-venv, or --python).

    step-time.py [--nnc build/bin/nnc] [--rounds 5] [--peers jax,keras,torch]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--nnc", default=os.path.join(root, "build", "bin", "nnc"))
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--blocks", type=int, default=3)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--peers", default="jax,keras,torch,torch-compile")
ap.add_argument("--workloads", default="mlp-train,big-train,mlp-predict")
ap.add_argument("--python", default=None,
                help="a python with the peers installed")
args = ap.parse_args()

MODELS = {"mlp-train": ("mlp", 64, "train"), "big-train": ("big", 256, "train"),
          "mlp-predict": ("mlp", 1024, "predict"),
          "fashion-train": ("fashion_cnn", 64, "train"),
          "cifar-train": ("cifar_cnn", 64, "train"),
          "lstm-train": ("lstm_text", 32, "train"),
          # nnc only (--peers ""): a reservoir against a dense recurrence.
          "reservoir-train": ("reservoir_ts", 32, "train"),
          "dense-rnn-train": ("rnn_ts", 32, "train")}


def peer_python():
    if args.python:
        return args.python
    venv = os.path.expanduser("~/.cache/nnc/bench-venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(os.path.join(venv, ".complete")):
        print("step-time: installing the peers into %s (once)" % venv,
              file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", "-r",
                        os.path.join(root, "tests", "parity",
                                     "requirements.txt"), "torch"], check=True)
        open(os.path.join(venv, ".complete"), "w").close()
    return py


work = tempfile.mkdtemp(prefix="nnc-step-time-")
lib = os.path.join(os.path.dirname(os.path.dirname(args.nnc)), "lib")
harness = os.path.join(work, "step-time")
subprocess.run(["cc", "-O2", "-I", os.path.join(root, "runtime", "include"),
                os.path.join(root, "benchmarks", "step-time.c"),
                os.path.join(lib, "libnnrt.a"), "-lstdc++", "-ldl", "-lz",
                "-lm", "-o", harness], check=True)
workloads = args.workloads.split(",")
for name in {MODELS[w][0] for w in workloads}:
    subprocess.run([args.nnc, "--shared",
                    os.path.join(root, "benchmarks", "models", name + ".nn"),
                    "-o", os.path.join(work, name + ".so")], check=True)

env = dict(os.environ)
threads = str(args.threads)
env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
           OPENBLAS_NUM_THREADS=threads, NNC_NUM_THREADS=threads,
           XLA_FLAGS="--xla_cpu_multi_thread_eigen=%s "
           "intra_op_parallelism_threads=%s"
           % ("false" if args.threads == 1 else "true", threads),
           KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
cpus = ",".join(str(c) for c in range(args.threads))
pin = ["taskset", "-c", cpus]
peers = [p for p in args.peers.split(",") if p]
py = peer_python() if peers else None


def run(cmd):
    out = subprocess.run(pin + cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print("step-time: %s failed:\n%s" % (" ".join(cmd), out.stderr[-2000:]),
              file=sys.stderr)
        return []
    return [float(v) for v in out.stdout.split()]


table = []
for workload in workloads:
    model, batch, mode = MODELS[workload]
    times = {s: [] for s in ["nnc"] + peers}
    for _ in range(args.rounds):
        times["nnc"] += run([harness, os.path.join(work, model + ".so"),
                             str(batch), mode, str(args.blocks)])
        for p in peers:
            times[p] += run([py, os.path.join(root, "benchmarks", "peers.py"),
                             p, workload, str(args.blocks)])
    med = {s: statistics.median(v) for s, v in times.items() if v}
    table.append((workload, med))

load = os.getloadavg()
print("threads: %d, load average at the end: %.2f %.2f %.2f" % (
    args.threads, *load))
print("| workload | nnc (us) | " + " | ".join(
    "%s (us) | %s / nnc" % (p, p) for p in peers) + " |")
print("|---" * (2 + 2 * len(peers)) + "|")
for workload, med in table:
    row = ["%s" % workload, "%.1f" % med.get("nnc", float("nan"))]
    for p in peers:
        if p in med and "nnc" in med:
            row += ["%.1f" % med[p], "%.2f" % (med[p] / med["nnc"])]
        else:
            row += ["-", "-"]
    print("| " + " | ".join(row) + " |")
