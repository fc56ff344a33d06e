"""The Keras parity models' train steps on the CPU and on a CUDA GPU.

usage: parity_devices.py WORK EXEDIR [--tol T]

WORK is a directory `tests/parity/keras_parity.py --work` filled (one
sub-directory per group: models.nn, and per model <m>.init.safetensors, the
identical initial weights Keras also starts from, and <m>.x*.npy /
<m>.y*.npy, the batches); EXEDIR holds each group's models.nn compiled with
`nnc --target=cuda`, named after the group. For every model: one epoch over
its batches (the parity test's steps) from the initial weights, on both
devices, the checkpoints (parameters and optimizer slots) compared by
compare_devices.py. Prints one line per model and a summary; exits 1 on any
difference. Standard library only.
"""
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    work, exes = sys.argv[1], sys.argv[2]
    tol = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--tol" else "1e-4"
    passed, failed = 0, []
    for group in sorted(glob.glob(os.path.join(work, "g[0-9]*"))):
        exe = os.path.join(exes, os.path.basename(group))
        text = open(os.path.join(group, "models.nn")).read()
        for m in re.findall(r"^train (\w+) \{", text, flags=re.M):
            base = os.path.join(group, m)
            xs = sorted(glob.glob(base + ".x.npy") + glob.glob(base + ".x[0-9]*.npy"))
            ys = sorted(glob.glob(base + ".y.npy") + glob.glob(base + ".y[0-9]*.npy"))
            if not xs:
                continue
            args = ["--model", m, "--weights", base + ".init.safetensors",
                    "--epochs", "1", "--seed", "0"]
            for x in xs:
                args += ["--x", x]
            for y in ys:
                args += ["--y", y]
            r = subprocess.run([sys.executable, os.path.join(HERE, "compare_devices.py"),
                                exe, "--tol", tol, "--checkpoint", "--", *args],
                               capture_output=True, text=True)
            last = (r.stdout.strip().splitlines() or [""])[-1]
            print("%-24s %s" % (m, last))
            if r.returncode:
                failed.append(m)
                print(r.stdout + r.stderr)
            else:
                passed += 1
    print("%d models agree between the CPU and the GPU, %d differ: %s"
          % (passed, len(failed), " ".join(failed)))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
