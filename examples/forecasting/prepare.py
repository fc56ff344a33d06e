#!/usr/bin/env python3
"""Two time series as forecasting windows, with the standard library only.

- sunspots: the monthly mean sunspot numbers, 1749-2008, that statsmodels
  ships (statsmodels/datasets/sunspots/src/sunspots_monthly.dat, from NOAA's
  National Geophysical Data Center, public domain); run.sh takes the file
  from the statsmodels wheel that `pip download --no-deps statsmodels`
  fetches from PyPI, without installing it.
- mackey_glass: the Mackey-Glass delay equation
  dx/dt = 0.2 x(t - 17) / (1 + x(t - 17)^10) - 0.1 x(t), chaotic at this
  delay, integrated here (Euler, step 0.1, constant history 1.2) and sampled
  every time unit after a transient of 1,000.

Each series is scaled by its training part's mean and standard deviation.
A sample is a window of the last 24 values, (24, 1), and its target the
next value; the first 80 % of the windows train, the last 20 % test (the
future, in order). Writes DIR/NAME.{train,test}.{x,y}.npy and DIR/NAME.json
(scale, persistence baseline: the last value as the forecast).
    prepare.py SUNSPOTS_MONTHLY_DAT OUT_DIR
"""
import json
import math
import os
import struct
import sys

WINDOW = 24


def npy(path, shape, values):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % dims
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def sunspots(path):
    values = []
    for line in open(path):
        parts = line.split()
        if len(parts) == 13 and parts[0].isdigit():
            values += [float(v) for v in parts[1:]]
    return values


def mackey_glass(n, tau=17.0, dt=0.1, skip=1000):
    lag, every = int(tau / dt), int(1 / dt)
    x = [1.2] * (lag + 1)
    out = []
    for step in range((n + skip) * every):
        delayed = x[-lag - 1]
        x.append(x[-1] + dt * (0.2 * delayed / (1 + delayed ** 10) - 0.1 * x[-1]))
        if step % every == 0 and step // every >= skip:
            out.append(x[-1])
    return out[:n]


def write(out, name, series):
    n = len(series) - WINDOW
    cut = int(0.8 * n)
    train = series[:cut + WINDOW]
    mean = sum(train) / len(train)
    std = math.sqrt(sum((v - mean) ** 2 for v in train) / len(train))
    z = [(v - mean) / std for v in series]
    for split, rows in (("train", range(cut)), ("test", range(cut, n))):
        x, y = [], []
        for i in rows:
            x += z[i:i + WINDOW]
            y.append(z[i + WINDOW])
        npy(os.path.join(out, "%s.%s.x.npy" % (name, split)),
            [len(rows), WINDOW, 1], x)
        npy(os.path.join(out, "%s.%s.y.npy" % (name, split)), [len(rows), 1], y)
    # Persistence: tomorrow is today. Its squared error on the test windows.
    errors = [(z[i + WINDOW] - z[i + WINDOW - 1]) ** 2 for i in range(cut, n)]
    meta = {"mean": mean, "std": std, "train": cut, "test": n - cut,
            "persistence_mse": sum(errors) / len(errors)}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(meta, f)
    print("%s: %d values, %d training and %d test windows, persistence MSE "
          "%.4f (scaled)" % (name, len(series), cut, n - cut,
                             meta["persistence_mse"]))


def main():
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    write(out, "sunspots", sunspots(sys.argv[1]))
    write(out, "mackey_glass", mackey_glass(3000))


if __name__ == "__main__":
    main()
