#!/usr/bin/env python3
"""The example's networks in Keras 3 (JAX backend, CPU), for comparison:
austen_lstm.nn and austen_bag.nn (--task novel), mood_lstm.nn and
mood_bag.nn (--task mood). The same layers (Embedding(V, 32,
mask_zero=True), then Dropout(d), Bidirectional(LSTM(32)), Dropout(d) or
GlobalAveragePooling1D, Dense(classes, softmax)), loss, optimizer, batch and
epochs as the .nn files (TASKS below), on the same .npy files prepare.py
writes. Prints one JSON line per network: fit time, held-out loss and
accuracy.
    keras_austen.py DATA_DIR [--task novel|mood] [--epochs N] [--networks lstm,bag]
"""
import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402

# task: vocabulary, dropout, classes, batch, epochs (as in the .nn files)
TASKS = {"novel": (8000, 0.4, 6, 64, 6), "mood": (2000, 0.3, 3, 32, 8)}

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("--task", choices=sorted(TASKS), default="novel")
ap.add_argument("--epochs", type=int)
ap.add_argument("--networks", default="lstm,bag")
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()
vocabulary, dropout, classes, batch, epochs = TASKS[args.task]
epochs = args.epochs or epochs

x = np.load(os.path.join(args.data, "train.x.npy"))
y = np.load(os.path.join(args.data, "train.y.npy"))
xt = np.load(os.path.join(args.data, "test.x.npy"))
yt = np.load(os.path.join(args.data, "test.y.npy"))
L = keras.layers
for name in args.networks.split(","):
    keras.utils.set_random_seed(args.seed)
    middle = {"lstm": lambda: [L.Dropout(dropout),
                               L.Bidirectional(L.LSTM(32)),
                               L.Dropout(dropout)],
              "bag": lambda: [L.GlobalAveragePooling1D()]}[name]()
    model = keras.Sequential([
        keras.Input((x.shape[1],)),
        L.Embedding(vocabulary, 32, mask_zero=True),
        *middle,
        L.Dense(classes, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.002),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.time()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=2)
    fit = time.time() - start
    loss, accuracy = model.evaluate(xt, yt, batch_size=256, verbose=0)
    print(json.dumps({"task": args.task, "network": name, "fit_seconds": round(fit, 2),
                      "test_loss": round(float(loss), 4),
                      "test_accuracy": round(float(accuracy), 4)}))
