"""Checks a dropout mask recovered from trained weights against the
definition in docs/numerics.md, written out again here (standard library
only), and the mask's statistics.

The test trains `dropout(rate, seed) -> dense(1, use_bias: false,
kernel_initializer: zeros)` for one SGD step (learning rate 0.5, batch 1,
x = 1, y = 1, mse): the kernel's gradient is -2 * mask, so the trained
kernel *is* the mask of step 1.

    dropout-mask-check.py WEIGHTS RATE SEED [PREDICTION.csv]

With PREDICTION (the model's prediction for x = 1 with those weights) it
also checks that prediction does not drop: the output is the sum of the
kernel, every input kept.
"""
import json
import math
import struct
import sys

M32 = 0xFFFFFFFF


def lowbias32(x):
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & M32
    return x ^ (x >> 16)


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def mask(n, rate, seed, step):
    seed &= (1 << 64) - 1
    key = lowbias32(lowbias32((seed & M32) ^ lowbias32(seed >> 32)) ^ step)
    threshold = math.ceil(rate * 2**24)
    scale = f32(1.0 / (1.0 - rate))
    return [scale if (lowbias32((lowbias32(i ^ key) + key) & M32) >> 8) >= threshold
            else 0.0 for i in range(n)]


def kernel(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    info = header["dense.kernel"]
    b, e = info["data_offsets"]
    body = data[8 + n + b:8 + n + e]
    return list(struct.unpack("<%df" % (len(body) // 4), body))


path, rate, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
got = kernel(path)
want = mask(len(got), rate, seed, step=1)
wrong = sum(1 for g, w in zip(got, want) if g != w)
print("elements %d, differing from the definition: %d" % (len(got), wrong))

kept = sum(1 for g in got if g != 0) / len(got)
sigma = math.sqrt(rate * (1 - rate) / len(got))
print("kept fraction %.4f, expected %.4f, within 4 sigma: %s" % (
    kept, 1 - rate, abs(kept - (1 - rate)) <= 4 * sigma))
# Neighbours independent: P(both kept) close to (1 - rate)^2.
pairs = sum(1 for a, b in zip(got, got[1:]) if a and b) / (len(got) - 1)
print("neighbours both kept %.4f, expected %.4f, within 4 sigma: %s" % (
    pairs, (1 - rate) ** 2,
    abs(pairs - (1 - rate) ** 2) <= 4 * math.sqrt(
        (1 - rate) ** 2 * (1 - (1 - rate) ** 2) / len(got))))
# Another step draws another mask: they agree where independent masks would.
other = mask(len(got), rate, seed, step=2)
agree = sum(1 for a, b in zip(want, other) if (a != 0) == (b != 0)) / len(got)
expect = rate ** 2 + (1 - rate) ** 2
print("step 2 agrees with step 1 on %.4f, independent masks %.4f: %s" % (
    agree, expect, abs(agree - expect) <= 4 * math.sqrt(expect * (1 - expect) / len(got))))

if len(sys.argv) > 4:
    out = float(open(sys.argv[4]).read().split()[0].split(",")[0])
    total = math.fsum(got)
    # Within the worst-case bound of an f32 sum of n terms, n * 2^-24 *
    # total (about 1 here); a prediction that dropped would be off by the
    # spread of a random mask's sum, about 65.
    bound = len(got) * 2.0**-24 * abs(total)
    print("prediction %.6g, sum of the kernel %.6g, the same: %s" % (
        out, total, abs(out - total) <= bound))
