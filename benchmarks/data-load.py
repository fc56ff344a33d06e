#!/usr/bin/env python3
"""How fast the runtime loads Fashion-MNIST's 60,000 x 28 x 28 training images
(issue 12's target: well under a second from IDX or .npy), from the IDX file
Debian ships (gzip), the same uncompressed, as .npy (uint8 and float32, as
NumPy writes them) and as CSV (one image per row). Prints a table; the
files are written with the standard library only.

    data-load.py [--build build] [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import array
import gzip
import os
import shutil
import struct
import subprocess
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--build", default=os.path.join(root, "build"))
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = ap.parse_args()

gz = os.path.join(args.data, "train-images-idx3-ubyte.gz")
raw = gzip.open(gz).read()
pixels = raw[16:]
n = len(pixels) // 784


def npy(path, descr, data):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d, 28, 28), }" % (
        descr, n)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode() + data)


work = tempfile.mkdtemp(prefix="nnc-data-load-")


def measure():
    files = [gz, os.path.join(work, "images.idx"), os.path.join(work, "u8.npy"),
             os.path.join(work, "f32.npy"), os.path.join(work, "images.csv")]
    with open(files[1], "wb") as f:
        f.write(raw)
    npy(files[2], "|u1", pixels)
    npy(files[3], "<f4", array.array("f", iter(pixels)).tobytes())
    with open(files[4], "w") as f:
        for i in range(n):
            f.write(",".join(map(str, pixels[784 * i:784 * (i + 1)])) + "\n")

    exe = os.path.join(work, "data-load")
    subprocess.run(["cc", "-O2", "-I", os.path.join(root, "runtime", "include"),
                    os.path.join(root, "benchmarks", "data-load.c"),
                    os.path.join(args.build, "lib", "libnnrt.a"),
                    "-lstdc++", "-ldl", "-lz", "-lm", "-o", exe], check=True)
    return subprocess.run([exe] + files, check=True, capture_output=True,
                          text=True).stdout


try:
    out = measure()
finally:
    shutil.rmtree(work)
print("Fashion-MNIST train images, %d x 28 x 28, best of 3:" % n)
print(out.replace(work + "/", ""), end="")
