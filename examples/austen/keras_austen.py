#!/usr/bin/env python3
"""austen_lstm.nn and austen_bag.nn in Keras 3 (JAX backend, CPU), for
comparison: the same networks (Embedding(8000, 32, mask_zero=True), then
Dropout(0.4), Bidirectional(LSTM(32)), Dropout(0.4) or GlobalAveragePooling1D,
Dense(6, softmax)), loss,
optimizer, batch and epochs, on the same .npy files prepare.py writes.
Prints one JSON line per network: fit time, held-out loss and accuracy.
    keras_austen.py DATA_DIR [--epochs N] [--networks lstm,bag]
"""
import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("--epochs", type=int, default=6)
ap.add_argument("--networks", default="lstm,bag")
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

x = np.load(os.path.join(args.data, "train.x.npy"))
y = np.load(os.path.join(args.data, "train.y.npy"))
xt = np.load(os.path.join(args.data, "test.x.npy"))
yt = np.load(os.path.join(args.data, "test.y.npy"))
L = keras.layers
for name in args.networks.split(","):
    keras.utils.set_random_seed(args.seed)
    middle = {"lstm": lambda: [L.Dropout(0.4), L.Bidirectional(L.LSTM(32)),
                               L.Dropout(0.4)],
              "bag": lambda: [L.GlobalAveragePooling1D()]}[name]()
    model = keras.Sequential([
        keras.Input((x.shape[1],)),
        L.Embedding(8000, 32, mask_zero=True),
        *middle,
        L.Dense(6, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.002),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.time()
    model.fit(x, y, batch_size=64, epochs=args.epochs, verbose=2)
    fit = time.time() - start
    loss, accuracy = model.evaluate(xt, yt, batch_size=256, verbose=0)
    print(json.dumps({"network": name, "fit_seconds": round(fit, 2),
                      "test_loss": round(float(loss), 4),
                      "test_accuracy": round(float(accuracy), 4)}))
