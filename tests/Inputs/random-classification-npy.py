"""Writes DIR/NAME.x.npy (ROWS x FEATURES, uniform in [-1, 1]) and
DIR/NAME.y.npy (ROWS x CLASSES, one-hot rows), seeded, with the standard
library only: the data nnc-trainparity reads for model NAME. FEATURES may
be a per-sample shape such as 9x8x2 (images); CLASSES 0 writes no y.
With ids=VOCABULARY, x holds token ids instead: the first of a row in
[1, VOCABULARY), the rest in [0, VOCABULARY), and each row padded with 0
after a random length (the padding embedding(mask_zero: true) masks).

    random-classification-npy.py DIR NAME ROWS FEATURES CLASSES [ids=V]
"""
import random
import struct
import sys


def npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        ", ".join(str(d) for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


out, name = sys.argv[1], sys.argv[2]
rows, classes = int(sys.argv[3]), int(sys.argv[5])
sample = [int(d) for d in sys.argv[4].split("x")]
features = 1
for d in sample:
    features *= d
rng = random.Random(7)
if len(sys.argv) > 6:
    vocabulary = int(sys.argv[6].split("=")[1])
    x = []
    for _ in range(rows):
        length = rng.randint(1, features)
        x += [float(rng.randrange(1, vocabulary))]
        x += [float(rng.randrange(vocabulary)) if k < length else 0.0
              for k in range(1, features)]
else:
    x = [rng.uniform(-1, 1) for _ in range(rows * features)]
npy("%s/%s.x.npy" % (out, name), [rows] + sample, x)
if classes == 0:
    sys.exit(0)
y = []
for _ in range(rows):
    row = [0.0] * classes
    row[rng.randrange(classes)] = 1.0
    y += row
npy("%s/%s.y.npy" % (out, name), [rows, classes], y)
