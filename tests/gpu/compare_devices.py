"""The same training on the CPU and on a CUDA GPU, compared.

usage: compare_devices.py EXE [--tol T] [--checkpoint] -- TRAIN-ARGS...

Runs `EXE train TRAIN-ARGS --save W --device cpu` and the same with
`--device cuda` (same seed: same initial weights, same batches, same
dropout masks), then compares every saved tensor (parameters; with
--checkpoint, the checkpoint's parameters and optimizer slots): the worst of
max|cuda - cpu| / (max|cpu| + 1e-3) over tensors must be at most --tol
(default 1e-4: both devices compute in f32 with the same formulas, but sum
in different orders). Prints one line per run and the comparison; exits 1
when it fails. Standard library only (it runs on the GPU machine).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile


def load(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        start, end = v["data_offsets"]
        out[name] = struct.unpack("<%df" % ((end - start) // 4), body[start:end])
    return out


def main():
    args = sys.argv[1:]
    exe, tol = args[0], 1e-4
    rest = args[1:]
    checkpoint = False
    while rest[:1] in (["--tol"], ["--checkpoint"]):
        if rest[0] == "--tol":
            tol, rest = float(rest[1]), rest[2:]
        else:
            checkpoint, rest = True, rest[1:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    tmp = tempfile.mkdtemp()
    saved = {}
    for device in ("cpu", "cuda"):
        w = os.path.join(tmp, device + ".safetensors")
        cmd = [exe, "train", *rest, "--checkpoint" if checkpoint else "--save",
               w, "--device", device, "--verbose", "0"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        lines = (r.stdout + r.stderr).strip().splitlines()
        print("%s: %s" % (device, lines[-1] if lines else ""))
        if r.returncode:
            print("FAIL: %s exited %d" % (" ".join(cmd), r.returncode))
            return 1
        saved[device] = load(w)
    worst, where = 0.0, ""
    for name, ref in saved["cpu"].items():
        got = saved["cuda"][name]
        scale = max(abs(x) for x in ref) + 1e-3
        d = max(abs(a - b) for a, b in zip(got, ref)) / scale
        if d > worst:
            worst, where = d, name
    ok = worst <= tol
    print("%s: %s tensors, worst relative difference %.3g (%s), tolerance %g"
          % ("PASS" if ok else "FAIL", len(saved["cpu"]), worst, where, tol))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
