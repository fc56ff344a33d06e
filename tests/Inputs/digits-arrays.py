"""Splits the real 8x8 digits (examples/digits/data/digits.csv.gz) into a
train and a held-out test part (a fixed shuffle, 1,437 / 360) and writes
each as the runtime's readers take them, in plain Python (no NumPy here):
  x_*.npy  float32 (n, 8, 8)      y_*.npy  float32 (n,) class indices
  x_*.csv  n rows of 64 pixels    y_*.csv  one label per row
  x_*-idx3-ubyte.gz, y_*-idx1-ubyte: IDX uint8, as MNIST ships
  digits_*.npz  x and y as np.savez writes them (Python's zipfile, which
                NumPy uses; the test part compressed, as savez_compressed)
  top_*.npy, bottom_*.npy  float32 (n, 4, 8): the image's two halves
  big_*.npy     float32 (n, 1): 1 where the digit is 5 or more
  halves_*.npz  top, bottom, y_0 (class indices, int64) and y_1 (= big):
                the data of a two-input, two-output model
    digits-arrays.py DIGITS_CSV_GZ OUT_DIR
"""
import gzip
import os
import random
import struct
import sys
import zipfile

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rows = [list(map(float, line.split(","))) for line in gzip.open(src, "rt")]
random.Random(0).shuffle(rows)
parts = {"train": rows[:1437], "test": rows[1437:]}


def npy_bytes(shape, values, descr="<f4", fmt="f"):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
            header.encode() + struct.pack("<%d%s" % (len(values), fmt), *values))


def npy(path, shape, values):
    with open(path, "wb") as f:
        f.write(npy_bytes(shape, values))


def idx(path, dims, values, compress):
    data = bytes([0, 0, 0x08, len(dims)]) + b"".join(
        struct.pack(">I", d) for d in dims) + bytes(int(v) for v in values)
    with open(path, "wb") as f:
        f.write(gzip.compress(data, mtime=0) if compress else data)


for name, part in parts.items():
    n = len(part)
    pixels = [v for r in part for v in r[:64]]
    labels = [r[64] for r in part]
    npy(os.path.join(out, "x_%s.npy" % name), [n, 8, 8], pixels)
    npy(os.path.join(out, "y_%s.npy" % name), [n], labels)
    with open(os.path.join(out, "x_%s.csv" % name), "w") as f:
        f.writelines(",".join("%g" % v for v in r[:64]) + "\n" for r in part)
    with open(os.path.join(out, "y_%s.csv" % name), "w") as f:
        f.writelines("%g\n" % r[64] for r in part)
    idx(os.path.join(out, "x_%s-idx3-ubyte.gz" % name), [n, 8, 8], pixels, True)
    idx(os.path.join(out, "y_%s-idx1-ubyte" % name), [n], labels, False)
    # Labels as int64, as NumPy makes them from Python ints.
    with zipfile.ZipFile(os.path.join(out, "digits_%s.npz" % name), "w",
                         zipfile.ZIP_DEFLATED if name == "test"
                         else zipfile.ZIP_STORED) as z:
        z.writestr("x.npy", npy_bytes([n, 8, 8], pixels))
        z.writestr("y.npy", npy_bytes([n], [int(v) for v in labels], "<i8", "q"))
    # The two halves of each image, and two targets (examples/digits/halves.nn).
    top = [v for r in part for v in r[:32]]
    bottom = [v for r in part for v in r[32:64]]
    big = [1.0 if v >= 5 else 0.0 for v in labels]
    npy(os.path.join(out, "top_%s.npy" % name), [n, 4, 8], top)
    npy(os.path.join(out, "bottom_%s.npy" % name), [n, 4, 8], bottom)
    npy(os.path.join(out, "big_%s.npy" % name), [n, 1], big)
    with zipfile.ZipFile(os.path.join(out, "halves_%s.npz" % name), "w") as z:
        z.writestr("top.npy", npy_bytes([n, 4, 8], top))
        z.writestr("bottom.npy", npy_bytes([n, 4, 8], bottom))
        z.writestr("y_0.npy", npy_bytes([n], [int(v) for v in labels], "<i8", "q"))
        z.writestr("y_1.npy", npy_bytes([n, 1], big))
