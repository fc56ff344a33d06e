#!/usr/bin/env python3
"""fashion_cnn.nn in Keras 3 (JAX backend, CPU), for comparison.

The same network (Conv2D(32, 3, relu), MaxPooling2D, Conv2D(64, 3, relu),
MaxPooling2D, Flatten, Dense(128, relu), Dense(10, softmax), pixels scaled
by 1/255), loss, optimizer (Adam 0.001), batch 64, 10 epochs and validation
split 0.1 (Keras takes the last tenth, as nnc does), on the same IDX files.
Prints the fit time and the test accuracy as one JSON line.
    keras_fashion_cnn.py [--data /usr/share/datasets/fashion-mnist] [--epochs 10]
"""
import argparse
import gzip
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    rank = data[3]
    dims = np.frombuffer(data, ">u4", rank, 4)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


ap = argparse.ArgumentParser()
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

x = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
y = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
xt = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
yt = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz"))
x = x.astype("float32")[..., None]
xt = xt.astype("float32")[..., None]

keras.utils.set_random_seed(args.seed)
L = keras.layers
model = keras.Sequential([
    keras.Input((28, 28, 1)),
    L.Rescaling(1 / 255),
    L.Conv2D(32, 3, activation="relu"),
    L.MaxPooling2D(),
    L.Conv2D(64, 3, activation="relu"),
    L.MaxPooling2D(),
    L.Flatten(),
    L.Dense(128, activation="relu"),
    L.Dense(10, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(0.001),
              loss="categorical_crossentropy", metrics=["accuracy"])
y1 = keras.utils.to_categorical(y, 10)
start = time.perf_counter()
model.fit(x, y1, batch_size=64, epochs=args.epochs, validation_split=0.1,
          verbose=0)
fit = time.perf_counter() - start
loss, acc = model.evaluate(xt, keras.utils.to_categorical(yt, 10), verbose=0)
print(json.dumps({"fit_seconds": round(fit, 2), "test_loss": round(loss, 4),
                  "test_accuracy": round(acc, 4)}))
