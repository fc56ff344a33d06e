"""Writes DIR/NAME.x.npy (ROWS x FEATURES, uniform in [-1, 1]) and
DIR/NAME.y.npy (ROWS x CLASSES, one-hot rows), seeded, with the standard
library only: the data nnc-trainparity reads for model NAME.

    random-classification-npy.py DIR NAME ROWS FEATURES CLASSES
"""
import random
import struct
import sys


def npy(path, rows, cols, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (
        rows, cols)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


out, name = sys.argv[1], sys.argv[2]
rows, features, classes = (int(v) for v in sys.argv[3:6])
rng = random.Random(7)
npy("%s/%s.x.npy" % (out, name), rows, features,
    [rng.uniform(-1, 1) for _ in range(rows * features)])
y = []
for _ in range(rows):
    row = [0.0] * classes
    row[rng.randrange(classes)] = 1.0
    y += row
npy("%s/%s.y.npy" % (out, name), rows, classes, y)
