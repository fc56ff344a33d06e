"""Checks a reservoir's initial weights in a safetensors file (standard
library only): every unit reads K distinct columns of [0, UNITS), ascending;
the values lie within [-r, r]; and the (UNITS, UNITS) matrix they form has
spectral radius 1 (the layer multiplies by spectral_radius), computed here
with the unshifted QR algorithm (Gram-Schmidt QR, the eigenvalues read off
the quasi-triangular limit's 1x1 and 2x2 blocks): an oracle independent of
the runtime's power iteration.
    check-reservoir.py FILE LAYER
"""
import cmath
import json
import struct
import sys

data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
body = data[8 + n:]


def tensor(name):
    info = header[name]
    b, e = info["data_offsets"]
    return info["shape"], struct.unpack("<%df" % ((e - b) // 4), body[b:e])


layer = sys.argv[2]
(units, k), cols = tensor(layer + ".recurrent_columns")
_, vals = tensor(layer + ".recurrent_values")
for i in range(units):
    row = [int(c) for c in cols[i * k:(i + 1) * k]]
    assert all(0 <= c < units and c == cols[i * k + j]
               for j, c in enumerate(row)), "column not an index in range"
    assert row == sorted(set(row)), "columns repeat or are not ascending"
print("columns: %d units x %d distinct ascending" % (units, k))

W = [[0.0] * units for _ in range(units)]
for i in range(units):
    for j in range(k):
        W[i][int(cols[i * k + j])] += vals[i * k + j]


def qr(a):
    m = len(a)
    q = [[0.0] * m for _ in range(m)]
    r = [[0.0] * m for _ in range(m)]
    for j in range(m):
        v = [a[i][j] for i in range(m)]
        for p in range(j):
            r[p][j] = sum(q[i][p] * a[i][j] for i in range(m))
            v = [v[i] - r[p][j] * q[i][p] for i in range(m)]
        r[j][j] = sum(x * x for x in v) ** 0.5
        for i in range(m):
            q[i][j] = v[i] / r[j][j] if r[j][j] else 0.0
    return q, r


a = [row[:] for row in W]
for _ in range(2000):
    q, r = qr(a)
    a = [[sum(r[i][p] * q[p][j] for p in range(units)) for j in range(units)]
         for i in range(units)]
eig = []
i = 0
while i < units:
    if i + 1 < units and abs(a[i + 1][i]) > 1e-6:
        t, d = a[i][i] + a[i + 1][i + 1], (a[i][i] * a[i + 1][i + 1] -
                                           a[i][i + 1] * a[i + 1][i])
        s = cmath.sqrt(t * t / 4 - d)
        eig += [t / 2 + s, t / 2 - s]
        i += 2
    else:
        eig.append(a[i][i])
        i += 1
radius = max(abs(e) for e in eig)
print("spectral radius %.4f" % radius)
assert abs(radius - 1) < 0.02, radius
