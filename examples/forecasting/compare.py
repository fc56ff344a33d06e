#!/usr/bin/env python3
"""The forecasting table and plot: reads nnc's test-set predictions and its
training logs (run.sh writes them to WORK), trains the same two networks in
Keras 3 (JAX backend, CPU) in the same run, and prints per series the test
error of the LSTM, the reservoir and the persistence baseline (the last
value as the forecast), each with its training time and the number of
weights it trains. Writes forecast-SERIES.svg beside this script: the first
200 test steps, the series and each forecast.

Keras has no reservoir layer: keras_reservoir() is the same echo-state
network as nnc's reservoir (leaky tanh units, each reading `k` random
others, weights uniform in [-1, 1] scaled to the spectral radius, input
weights uniform in [-1, 1] times input_scaling, none of them trained) as a
keras.layers.RNN cell; its random draw is Keras' own, not nnc's.
    compare.py DATA_DIR WORK [--epochs 30]
"""
import argparse
import json
import os
import re
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERIES = ["mackey_glass", "sunspots"]
UNITS, DENSITY, RADIUS, LEAK, SCALING = 300, 0.05, 0.95, 0.5, 0.5


class ReservoirCell(keras.layers.Layer):
    def __init__(self, rng, **kw):
        super().__init__(**kw)
        self.state_size = UNITS
        k = max(1, round(DENSITY * UNITS))
        w = np.zeros((UNITS, UNITS))
        for unit in range(UNITS):  # unit reads k others: column `unit` of W
            w[rng.choice(UNITS, k, replace=False), unit] = rng.uniform(-1, 1, k)
        w /= np.max(np.abs(np.linalg.eigvals(w)))
        self.w = keras.ops.convert_to_tensor((RADIUS * w).astype("float32"))
        self.w_in = keras.ops.convert_to_tensor(
            (SCALING * rng.uniform(-1, 1, (1, UNITS))).astype("float32"))

    def call(self, x, states):
        h = states[0]
        f = keras.ops.tanh(keras.ops.matmul(x, self.w_in) +
                           keras.ops.matmul(h, self.w))
        h = (1 - LEAK) * h + LEAK * f
        return h, [h]


def keras_model(kind, seed):
    keras.utils.set_random_seed(seed)
    L = keras.layers
    if kind == "lstm":
        middle, lr = L.LSTM(32), 0.005
    else:
        middle, lr = L.RNN(ReservoirCell(np.random.default_rng(seed))), 0.01
    model = keras.Sequential([keras.Input((24, 1)), middle, L.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
    return model


def nnc_log(work, series, kind):
    text = open(os.path.join(work, "%s.%s.log" % (series, kind))).read()
    seconds = float(re.search(r"fit: \d+ epochs in ([\d.]+) ms", text)[1]) / 1e3
    summary = open(os.path.join(work, "%s.summary" % kind)).read()
    trained = int(re.search(r"Trainable params: (\d+)", summary)[1])
    return seconds, trained


def svg(path, title, truth, lines):
    w, h, pad = 720, 260, 30
    lo = min(min(truth), *(min(v) for _, v, _ in lines))
    hi = max(max(truth), *(max(v) for _, v, _ in lines))

    def points(v):
        return " ".join("%.1f,%.1f" % (pad + i * (w - 2 * pad) / (len(v) - 1),
                                       h - pad - (y - lo) / (hi - lo) *
                                       (h - 2 * pad)) for i, y in enumerate(v))
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18">%s</text>' % (pad, title),
           '<polyline fill="none" stroke="black" stroke-width="2" '
           'points="%s"/>' % points(truth)]
    for k, (name, v, colour) in enumerate(lines):
        out.append('<polyline fill="none" stroke="%s" stroke-width="1.2" '
                   'points="%s"/>' % (colour, points(v)))
        out.append('<text x="%d" y="%d" fill="%s">%s</text>' % (
            w - 210, 18 + 14 * k, colour, name))
    out.append('<text x="%d" y="%d">series (black)</text>' % (w - 210, 18 + 14 * len(lines)))
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("work")
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args()
    rows = []
    for series in SERIES:
        load = lambda part: np.load(os.path.join(args.data, "%s.%s.npy" % (series, part)))
        x, y, xt, yt = load("train.x"), load("train.y"), load("test.x"), load("test.y")
        meta = json.load(open(os.path.join(args.data, series + ".json")))
        persistence = xt[:, -1, :]
        rows.append((series, "persistence", "-", float(np.mean((persistence - yt) ** 2)), 0.0, 0))
        curves = [("persistence", persistence[:, 0], "#999999")]
        for kind, colour in (("lstm", "#d62728"), ("reservoir", "#1f77b4")):
            p = np.load(os.path.join(args.work, "%s.%s.pred.npy" % (series, kind)))
            seconds, trained = nnc_log(args.work, series, kind)
            rows.append((series, kind, "nnc", float(np.mean((p - yt) ** 2)), seconds, trained))
            curves.append(("nnc " + kind, p[:, 0], colour))
            model = keras_model(kind, 0)
            start = time.time()
            model.fit(x, y, batch_size=32, epochs=args.epochs, verbose=0)
            seconds = time.time() - start
            pk = model.predict(xt, verbose=0)
            rows.append((series, kind, "keras", float(np.mean((pk - yt) ** 2)), seconds,
                         sum(int(np.prod(v.shape)) for v in model.trainable_weights)))
        n = min(200, len(yt))
        svg(os.path.join(HERE, "forecast-%s.svg" % series),
            "%s: the first %d test steps, one step ahead" % (series, n),
            list(yt[:n, 0]), [(name, list(v[:n]), c) for name, v, c in curves])
        scale = meta["std"]
        for r in rows:
            if r[0] == series and r[1] == "persistence":
                base = r[3]
        print()
        print("%s (test: %d windows; RMSE in the series' units, scale %.3g)" % (
            series, len(yt), scale))
        print("%-12s %-6s %12s %10s %9s %10s %8s" % (
            "model", "by", "MSE (scaled)", "RMSE", "vs persist", "train s",
            "trained"))
        for s, kind, by, mse, seconds, trained in rows:
            if s != series:
                continue
            print("%-12s %-6s %12.5f %10.4g %9.2f %10.2f %8d" % (
                kind, by, mse, np.sqrt(mse) * scale, mse / base, seconds, trained))


if __name__ == "__main__":
    main()
