#!/usr/bin/env python3
"""The compiled training step against Keras itself.

For random models (depth 1-6 dense layers, widths 1-64, every activation;
sequential, functional with skip connections, and reusable blocks; every loss
in its logits and probability forms; frozen layers; and networks with two
inputs and two outputs, a loss per output and loss weights) and every
optimizer configuration, this script

  1. writes one .nn file holding many models, each with its train section, and
     compiles it once with `nnc --shared`;
  2. runs nnc-trainparity on it: the runtime's seeded Keras initialisers give
     each model its initial weights (saved for step 3), N compiled train steps
     run on N batches, and the same @<m>_train runs in f64 through the
     reference evaluator (lowering bugs show up there);
  3. builds the same network in Keras 3 (JAX backend), loads the identical
     initial weights and runs N steps of Keras' own `train_step` on the same
     batches (all models of a group in one jitted function, so XLA compiles
     once per group);
  4. compares parameters, every optimizer slot, the loss and the metrics after
     step 1 and step N.

A tensor's difference is max|nnc - keras| / (max|keras| + 1e-3): relative to
the tensor's scale (f32 rounding of one near-zero element is not a bug, a
dropped update is). It must be within --tolerance plus twice the tensor's f32
noise, nnc's own difference from the f64 reference (which nnc-trainparity
bounds by --tolerance plus twice an independent f32 evaluation's difference
from f64): where Adam divides by the square root of a tiny second moment, or
a saturated softmax meets a clipped cross-entropy, two correct f32
computations part by more than elsewhere. Exit status 1 if any difference exceeds that.

Usage: keras_parity.py --nnc build/bin/nnc --tool build/bin/nnc-trainparity
                       [--models 200] [--multi 10] [--steps 10] [--seed 0]
                       [--work DIR]
"""

import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import warnings  # noqa: E402

import numpy as np  # noqa: E402

# Keras warns about softmax over one unit; the random models mean it.
warnings.filterwarnings("ignore", category=UserWarning)

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "elu", "softmax"]

# name -> (nn optimizer text, Keras constructor); learning rates per model.
OPTIMIZERS = {
    "sgd": ("sgd(learning_rate: {lr})",
            lambda k, lr: k.optimizers.SGD(learning_rate=lr)),
    "momentum": ("sgd(learning_rate: {lr}, momentum: 0.9)",
                 lambda k, lr: k.optimizers.SGD(learning_rate=lr, momentum=0.9)),
    "nesterov": ("sgd(learning_rate: {lr}, momentum: 0.8, nesterov: true)",
                 lambda k, lr: k.optimizers.SGD(learning_rate=lr, momentum=0.8,
                                                nesterov=True)),
    "adam": ("adam(learning_rate: {lr}, beta_1: 0.8, beta_2: 0.95, "
                    "epsilon: 1e-5)",
                    lambda k, lr: k.optimizers.Adam(learning_rate=lr, beta_1=0.8,
                                                    beta_2=0.95, epsilon=1e-5)),
}

# loss form -> (nn loss, Keras loss, output activation, output width range)
LOSSES = {
    "mse": ("mse", "mean_squared_error", None, (1, 4)),
    "mae": ("mae", "mean_absolute_error", None, (1, 4)),
    # sigmoid output: nnc computes BCE on the logits
    "bce_logits": ("binary_crossentropy", "binary_crossentropy", "sigmoid", (1, 3)),
    # a softmax output under BCE: the clipped probability form
    "bce_prob": ("binary_crossentropy", "binary_crossentropy", "softmax", (2, 2)),
    # softmax output: nnc computes CE on the logits
    "cce_logits": ("categorical_crossentropy", "categorical_crossentropy",
                   "softmax", (2, 5)),
    # sigmoid outputs under CE: rows rescaled to sum to one, then clipped
    "cce_prob": ("categorical_crossentropy", "categorical_crossentropy",
                 "sigmoid", (2, 5)),
    # class indices, (batch, 1), against a softmax: the sparse form
    "scce_logits": ("sparse_categorical_crossentropy",
                    "sparse_categorical_crossentropy", "softmax", (2, 5)),
}
METRICS = {"mse": ["mae"], "mae": ["mse"], "bce_logits": ["accuracy"],
           "bce_prob": ["binary_accuracy"], "cce_logits": ["accuracy"],
           "cce_prob": ["accuracy"], "scce_logits": ["accuracy"]}


# ---------------------------------------------------------------------------
# Random models
# ---------------------------------------------------------------------------

def random_spec(rng, index):
    """A network as a list of units: dense layers and residual pairs."""
    style = rng.choice(["sequential", "functional", "block"])
    # The sparse form is drawn as a variant of cce_logits (every other
    # one), so that adding it left the draws, and so the networks, as they
    # were.
    loss = rng.choice(sorted(k for k in LOSSES if k != "scce_logits"))
    if loss == "cce_logits" and index % 2 == 1:
        loss = "scce_logits"
    depth = rng.randint(1, 6)  # dense layers, the output layer included
    in_dim = rng.randint(1, 8)
    units, width, n = [], in_dim, 0
    while n < depth - 1:
        w = rng.choice([1, 2, 3, 5, 8, 13, 16, 32, 64, rng.randint(1, 64)])
        act = rng.choice(ACTIVATIONS)
        if style != "sequential" and n + 2 <= depth - 1 and rng.random() < 0.5:
            # x + dense(dense(x, width, act), width): a skip connection
            units.append({"kind": "residual", "units": width, "act": act,
                          "names": ("d%d" % n, "d%d" % (n + 1))})
            n += 2
            continue
        units.append({"kind": "dense", "units": w, "act": act,
                      "name": "d%d" % n, "trainable": rng.random() > 0.1})
        width, n = w, n + 1
    _, _, out_act, (lo, hi) = LOSSES[loss]
    if out_act is None:
        out_act = rng.choice(["linear", "linear", "tanh", "relu", "sigmoid"])
    units.append({"kind": "dense", "units": rng.randint(lo, hi), "act": out_act,
                  "name": "d%d" % n, "trainable": True})
    return {"index": index, "style": style, "loss": loss, "in_dim": in_dim,
            "units": units, "batch": rng.randint(1, 16)}


# Losses a head of a two-output network draws (the probability forms need
# their output activation, which the head has).
HEAD_LOSSES = ["mse", "mae", "bce_logits", "cce_logits", "scce_logits",
               "cce_prob"]


def random_multi_spec(rng, index):
    """Two inputs, each through its own dense layer, added, an optional
    hidden layer, and two output heads, each with its own loss: Keras'
    Model([a, b], [o0, o1]) compiled with a list of losses."""
    heads = []
    for k in range(2):
        loss = rng.choice(HEAD_LOSSES)
        _, _, act, (lo, hi) = LOSSES[loss]
        if act is None:
            act = rng.choice(["linear", "tanh", "sigmoid"])
        heads.append({"loss": loss, "units": rng.randint(lo, hi), "act": act,
                      "name": "o%d" % k})
    width = rng.choice([2, 5, 8, 16])
    hidden = None
    if rng.random() < 0.5:
        hidden = {"units": rng.choice([3, 8, 13]),
                  "act": rng.choice(ACTIVATIONS[:5])}
    weights = None
    if rng.random() < 0.6:
        weights = [rng.choice([0.25, 0.5, 1.0, 2.0]) for _ in heads]
    return {"index": index, "style": "multi", "dims": [rng.randint(1, 6),
                                                       rng.randint(1, 6)],
            "width": width, "acts": [rng.choice(ACTIVATIONS[:5]),
                                     rng.choice(ACTIVATIONS[:5])],
            "hidden": hidden, "heads": heads, "weights": weights,
            "batch": rng.randint(1, 16)}


# Losses a convolutional network ends in (through its dense head). Not mae:
# behind a global pooling the head's inputs are small, so its gradient is a
# sum of +-tanh'(~0) ~ +-(1 - tiny) terms that cancel to ~1e-6, and Adam's
# first step divides that by its own magnitude: seed 5's m59 differs from
# the f64 reference by 3x the f32 noise bound in both nnc's kernels and the
# reference's f32 evaluation order. The dense networks cover mae.
CNN_LOSSES = ["mse", "cce_logits", "scce_logits", "bce_logits"]


def _out_len(size, window, stride, dilation, padding):
    """Keras' output length of a window op (None when it does not fit)."""
    reach = (window - 1) * dilation + 1
    if padding == "same":
        return -(-size // stride)
    return (size - reach) // stride + 1 if size >= reach else None


def random_cnn_spec(rng, index):
    """An image network: 1-4 layers drawn from conv2d (strides, dilation,
    padding), conv2d_transpose, max/min/average pooling, up_sampling2d
    (nearest and bilinear) and zero_padding2d, then flatten or a global pooling, then a dense head."""
    loss = rng.choice(CNN_LOSSES)
    h, w, c = rng.randint(4, 9), rng.randint(4, 9), rng.randint(1, 3)
    shape = (h, w, c)
    layers = []
    for n in range(rng.randint(1, 4)):
        kind = rng.choice(["conv", "conv", "conv", "pool", "pool", "convt",
                           "up", "pad"])
        name = "c%d" % n
        if kind == "conv":
            k = rng.choice([1, 2, 3, [3, 2], [1, 3]])
            kk = k if isinstance(k, list) else [k, k]
            strides = rng.choice([1, 1, 2, [2, 1]])
            ss = strides if isinstance(strides, list) else [strides] * 2
            dil = rng.choice([1, 2]) if ss == [1, 1] else 1
            padding = rng.choice(["valid", "same"])
            dims = [_out_len(shape[d], kk[d], ss[d], dil, padding)
                    for d in range(2)]
            if None in dims or min(dims) < 1:
                continue
            layer = {"kind": "conv", "filters": rng.randint(1, 4),
                     "kernel": k, "strides": strides, "dilation": dil,
                     "padding": padding, "act": rng.choice(ACTIVATIONS[:5]),
                     "name": name}
            shape = (dims[0], dims[1], layer["filters"])
        elif kind == "convt":
            k = rng.choice([1, 2, 3])
            s = rng.choice([1, 2])
            padding = rng.choice(["valid", "same"])
            f = rng.randint(1, 3)
            dims = [shape[d] * s + (max(k - s, 0) if padding == "valid" else 0)
                    for d in range(2)]
            if max(dims) > 16:
                continue
            layer = {"kind": "convt", "filters": f, "kernel": k, "strides": s,
                     "padding": padding, "act": rng.choice(ACTIVATIONS[:5]),
                     "name": name}
            shape = (dims[0], dims[1], f)
        elif kind == "pool":
            op = rng.choice(["max", "max", "avg", "min"])
            p = rng.choice([2, 2, 3, [2, 1]])
            pp = p if isinstance(p, list) else [p, p]
            strides = rng.choice([None, None, 1, 2])
            ss = pp if strides is None else [strides, strides]
            padding = rng.choice(["valid", "same"])
            dims = [_out_len(shape[d], pp[d], ss[d], 1, padding)
                    for d in range(2)]
            if None in dims or min(dims) < 1:
                continue
            layer = {"kind": "pool", "op": op, "pool": p, "strides": strides,
                     "padding": padding, "name": name}
            shape = (dims[0], dims[1], shape[2])
        elif kind == "up":
            size = rng.choice([2, [2, 1], [1, 3]])
            ss = size if isinstance(size, list) else [size, size]
            if shape[0] * ss[0] > 16 or shape[1] * ss[1] > 16:
                continue
            # Every other upsampling layer is bilinear, decided without a
            # draw so that the seed's other choices stay what they were.
            interp = "bilinear" if (index + n) % 2 else "nearest"
            layer = {"kind": "up", "size": size, "interpolation": interp,
                     "name": name}
            shape = (shape[0] * ss[0], shape[1] * ss[1], shape[2])
        else:
            pad = rng.choice([1, [1, 2], [[0, 1], [2, 0]]])
            if isinstance(pad, int):
                t = b = l = r = pad
            elif isinstance(pad[0], int):
                t = b = pad[0]
                l = r = pad[1]
            else:
                (t, b), (l, r) = pad
            layer = {"kind": "pad", "padding": pad, "name": name}
            shape = (shape[0] + t + b, shape[1] + l + r, shape[2])
        layers.append(layer)
    head = rng.choice(["flatten", "flatten", "gap", "gmp"])
    _, _, out_act, (lo, hi) = LOSSES[loss]
    if out_act is None:
        out_act = rng.choice(["linear", "tanh"])
    units = [{"kind": "dense", "units": rng.randint(lo, hi), "act": out_act,
              "name": "out", "trainable": True}]
    return {"index": index, "style": "cnn", "loss": loss, "input": [h, w, c],
            "layers": layers, "head": head, "units": units,
            "batch": rng.randint(1, 8)}


def train_lines(spec, name, optimizer_text):
    """The train section of a single-output network."""
    return ["train %s {" % name,
            "    loss: " + LOSSES[spec["loss"]][0],
            "    optimizer: " + optimizer_text,
            "    metrics: [%s]" % ", ".join(METRICS[spec["loss"]]),
            "    batch: %d" % spec["batch"],
            "}"]


def closed(lines, spec, name, optimizer_text):
    """A single-output network's source: its body `lines`, the dense head,
    the closing brace and the train section."""
    lines = lines + ["    " + dense_nn(None, spec["units"][0]), "}"]
    return "\n".join(lines + train_lines(spec, name, optimizer_text)) + "\n"


def random_text_spec(rng, index):
    """A token-sequence network: embedding(vocabulary, features) of ids of
    length 2-6, flatten or global average / max pooling over the steps, an
    optional hidden dense layer, a dense head."""
    loss = rng.choice(CNN_LOSSES)
    _, _, out_act, (lo, hi) = LOSSES[loss]
    if out_act is None:
        out_act = rng.choice(["linear", "tanh"])
    hidden = None
    if rng.random() < 0.5:
        hidden = {"units": rng.randint(2, 8), "act": rng.choice(ACTIVATIONS[:5])}
    # The sequence's reduction: decided without a draw (the earlier
    # networks of a seed stay what they were).
    head = ["flatten", "gap1d", "gmp1d"][index % 3]
    spec = {"index": index, "style": "text", "loss": loss, "head": head,
            "length": rng.randint(2, 6), "vocabulary": rng.randint(3, 12),
            "features": rng.randint(1, 4), "hidden": hidden,
            "units": [{"kind": "dense", "units": rng.randint(lo, hi),
                       "act": out_act, "name": "out", "trainable": True}],
            "batch": rng.randint(1, 8)}
    # Id 0 as padding (mask_zero) for two of three average-pooled networks:
    # the mean over the real steps only. Drawn last, so the rest of a
    # seed's networks stay what they were.
    spec["mask"] = head == "gap1d" and rng.random() < 0.67
    return spec


def embedding_nn(spec):
    return '    embedding(%d, %d, %sname: "emb")' % (
        spec["vocabulary"], spec["features"],
        "mask_zero: true, " if spec.get("mask") else "")


def keras_embedding(keras, spec, x):
    return keras.layers.Embedding(spec["vocabulary"], spec["features"],
                                  mask_zero=bool(spec.get("mask")),
                                  name="emb")(x)


def text_nn_text(spec, name, optimizer_text):
    lines = ["model %s(x: f32[%d]) {" % (name, spec["length"])]
    lines.append(embedding_nn(spec))
    lines.append("    " + {"flatten": "flatten()",
                           "gap1d": "global_average_pooling1d()",
                           "gmp1d": "global_max_pooling1d()"}[spec["head"]])
    if spec["hidden"]:
        lines.append('    dense(%d, activation: %s, name: "hid")' % (
            spec["hidden"]["units"], spec["hidden"]["act"]))
    return closed(lines, spec, name, optimizer_text)


def keras_text_model(keras, spec):
    L = keras.layers
    x = keras.Input((spec["length"],))
    h = keras_embedding(keras, spec, x)
    h = {"flatten": L.Flatten(), "gap1d": L.GlobalAveragePooling1D(),
         "gmp1d": L.GlobalMaxPooling1D()}[spec["head"]](h)
    if spec["hidden"]:
        h = L.Dense(spec["hidden"]["units"], activation=spec["hidden"]["act"],
                    kernel_initializer="zeros", name="hid")(h)
    u = spec["units"][0]
    h = L.Dense(u["units"], activation=u["act"], kernel_initializer="zeros",
                name=u["name"])(h)
    return keras.Model(x, h)


RNN_KINDS = ["simple_rnn", "lstm", "gru", "gru_before"]


def random_rnn_spec(rng, index):
    """A recurrent network over sequences of 2-5 steps: float features, or
    token ids through an embedding (every third); one or two recurrent
    layers (the cell by index, so that every cell comes up in a few
    networks; gru_before is GRU with reset_after false), the first
    returning sequences when two are stacked, any of them maybe scanning
    backwards (Keras then returns the steps in reverse); a dense head."""
    loss = rng.choice(CNN_LOSSES)
    _, _, out_act, (lo, hi) = LOSSES[loss]
    if out_act is None:
        out_act = rng.choice(["linear", "tanh"])
    ids = index % 3 == 2
    layers = []
    count = rng.randint(1, 2)
    for k in range(count):
        kind = RNN_KINDS[(index + k) % len(RNN_KINDS)]
        last = k == count - 1
        layers.append({
            "kind": kind, "units": rng.randint(1, 5),
            "sequences": not last,
            "backwards": rng.random() < 0.35,
            "bias": rng.random() < 0.8,
            "act": rng.choice(["tanh", "tanh", "relu", "sigmoid"])
                   if kind == "simple_rnn" else "tanh",
            "name": "r%d" % k})
        # Every third layer runs both ways (Keras' Bidirectional), with a
        # merge mode drawn after the layer's own draws.
        # (Networks on token ids, which the rule skips, wrap their first
        # layer every other time: masked bidirectional layers.)
        if (index + 2 * k) % 3 == 0 or (ids and k == 0 and
                                        (index // 3) % 2 == 0):
            layers[-1]["bi"] = rng.choice(["concat", "sum", "mul", "ave"])
            layers[-1]["backwards"] = False
    # Every fourth: the last layer returns every step, a dense layer maps
    # each step (Keras' Dense on the last axis), flatten joins them.
    td = None
    if index % 4 == 1:
        layers[-1]["sequences"] = True
        td = {"units": rng.randint(1, 3),
              "act": rng.choice(["linear", "tanh", "relu"])}
    spec = {"index": index, "style": "rnn", "loss": loss, "td": td,
            "length": rng.randint(2, 5), "features": rng.randint(1, 4),
            "vocabulary": rng.randint(3, 9) if ids else None,
            "layers": layers,
            "units": [{"kind": "dense", "units": rng.randint(lo, hi),
                       "act": out_act, "name": "out", "trainable": True}],
            "batch": rng.randint(1, 8)}
    # Most token networks mask id 0 (Keras' mask_zero): padded steps carry
    # the state through every recurrent layer (zeros out of a
    # bidirectional one). Drawn last: the other networks stay as they were.
    spec["mask"] = ids and rng.random() < 0.75
    # About two in five (by index, without a draw): the last layer returns
    # its final states too (return_state), which a second dense layer reads
    # beside the output: a functional model, `y, h, c = lstm(...)`.
    spec["state"] = (index % 4 == 0 or index % 5 == 3) and not td
    if spec["mask"]:
        # Padded steps hold zero states, whose pre-activations sit on relu's
        # kink at 0 whenever a bias is near 0: f32 and the f64 reference
        # then take different sides of it (not a difference of semantics).
        for l in layers:
            if l["act"] == "relu":
                l["act"] = "tanh"
    return spec


def rnn_state_count(layer):
    """How many final states a recurrent layer gives with return_state."""
    return (2 if layer["kind"] == "lstm" else 1) * (2 if layer.get("bi") else 1)


def rnn_nn_text(spec, name, optimizer_text):
    if spec["vocabulary"]:
        lines = ["model %s(x: f32[%d]) {" % (name, spec["length"]),
                 embedding_nn(spec)]
    else:
        lines = ["model %s(x: f32[%d, %d]) {" % (name, spec["length"],
                                                spec["features"])]
    if spec.get("state"):
        return rnn_state_nn_text(spec, name, optimizer_text, lines)
    for l in spec["layers"]:
        lines.append("    " + rnn_layer_nn(l))
    if spec["td"]:
        lines.append('    dense(%d, activation: %s, name: "td")' % (
            spec["td"]["units"], spec["td"]["act"]))
        lines.append("    flatten()")
    return closed(lines, spec, name, optimizer_text)


def rnn_layer_nn(l, src=None):
    """One recurrent layer of an rnn spec as an nn call (`src` first in a
    functional body)."""
    kind = "gru" if l["kind"] == "gru_before" else l["kind"]
    args = ["%d" % l["units"]]
    if l["kind"] == "simple_rnn":
        args.append("activation: %s" % l["act"])
    if l["kind"] == "gru_before":
        args.append("reset_after: false")
    if l["sequences"]:
        args.append("return_sequences: true")
    if l["backwards"]:
        args.append("go_backwards: true")
    if not l["bias"]:
        args.append("use_bias: false")
    if l.get("return_state"):
        args.append("return_state: true")
    pre = [src] if src else []
    if l.get("bi"):
        return 'bidirectional(%s%s(%s), merge_mode: %s, name: "%s")' % (
            "".join(p + ", " for p in pre), kind, ", ".join(args), l["bi"],
            l["name"])
    return "%s(%s)" % (kind, ", ".join(pre + args + ['name: "%s"' % l["name"]]))


def rnn_state_nn_text(spec, name, optimizer_text, lines):
    """The functional form of an rnn spec whose last layer returns its
    final states: out = act(dense(y) + dense(sum of the states))."""
    if spec["vocabulary"]:
        lines[-1] = lines[-1].replace("embedding(", "h = embedding(x, ")
        cur = "h"
    else:
        cur = "x"
    for k, l in enumerate(spec["layers"]):
        if k + 1 < len(spec["layers"]):
            lines.append("    h%d = %s" % (k, rnn_layer_nn(l, cur)))
            cur = "h%d" % k
            continue
        states = ["s%d" % i for i in range(rnn_state_count(l))]
        lines.append("    %s = %s" % (", ".join(["y"] + states),
                                      rnn_layer_nn(dict(l, return_state=True),
                                                   cur)))
    u = spec["units"][0]
    lines.append('    z = dense(y, %d, name: "out") + dense(%s, %d, '
                 'use_bias: false, name: "out_s")' % (
                     u["units"], " + ".join(states), u["units"]))
    lines.append("    return activation(z, %s)" % u["act"])
    lines.append("}")
    return "\n".join(lines + train_lines(spec, name, optimizer_text)) + "\n"


def keras_rnn_model(keras, spec):
    L = keras.layers
    if spec["vocabulary"]:
        x = keras.Input((spec["length"],))
        h = keras_embedding(keras, spec, x)
    else:
        x = keras.Input((spec["length"], spec["features"]))
        h = x
    for l in spec["layers"]:
        kw = dict(return_sequences=l["sequences"], go_backwards=l["backwards"],
                  use_bias=l["bias"], kernel_initializer="zeros",
                  recurrent_initializer="zeros")
        if spec.get("state") and l is spec["layers"][-1]:
            kw["return_state"] = True
        if not l.get("bi"):
            kw["name"] = l["name"]
        if l["kind"] == "simple_rnn":
            layer = L.SimpleRNN(l["units"], activation=l["act"], **kw)
        elif l["kind"] == "lstm":
            layer = L.LSTM(l["units"], **kw)
        else:
            layer = L.GRU(l["units"], reset_after=l["kind"] == "gru", **kw)
        if l.get("bi"):
            layer = L.Bidirectional(layer, merge_mode=l["bi"], name=l["name"])
        h = layer(h)
    if spec.get("state"):
        # The last layer was built with return_state: [output, states...].
        y, states = h[0], h[1:]
        s = states[0] if len(states) == 1 else L.Add()(states)
        u = spec["units"][0]
        z = L.Add()([
            L.Dense(u["units"], kernel_initializer="zeros", name="out")(y),
            L.Dense(u["units"], use_bias=False, kernel_initializer="zeros",
                    name="out_s")(s)])
        return keras.Model(x, L.Activation(u["act"])(z))
    if spec["td"]:
        h = L.Dense(spec["td"]["units"], activation=spec["td"]["act"],
                    kernel_initializer="zeros", name="td")(h)
        h = L.Flatten()(h)
    u = spec["units"][0]
    h = L.Dense(u["units"], activation=u["act"], kernel_initializer="zeros",
                name=u["name"])(h)
    return keras.Model(x, h)


def weight_of(layer, which):
    """A layer's variable by attribute path ('kernel', 'cell.bias')."""
    for part in which.split("."):
        layer = getattr(layer, part)
    return layer


def _nn_value(v):
    return str(v).replace(" ", "")


def cnn_nn_text(spec, name, optimizer_text):
    lines = ["model %s(x: f32[%s]) {" % (name, ", ".join(
        str(d) for d in spec["input"]))]
    for l in spec["layers"]:
        nm = 'name: "%s"' % l["name"]
        if l["kind"] == "conv":
            lines.append("    conv2d(%d, %s, strides: %s, padding: %s, "
                         "dilation_rate: %d, activation: %s, %s)" % (
                             l["filters"], _nn_value(l["kernel"]),
                             _nn_value(l["strides"]), l["padding"],
                             l["dilation"], l["act"], nm))
        elif l["kind"] == "convt":
            lines.append("    conv2d_transpose(%d, %d, strides: %d, "
                         "padding: %s, activation: %s, %s)" % (
                             l["filters"], l["kernel"], l["strides"],
                             l["padding"], l["act"], nm))
        elif l["kind"] == "pool":
            layer = {"max": "max_pooling2d", "avg": "average_pooling2d",
                     "min": "min_pooling2d"}[l["op"]]
            strides = "" if l["strides"] is None else (
                ", strides: %d" % l["strides"])
            lines.append("    %s(%s%s, padding: %s, %s)" % (
                layer, _nn_value(l["pool"]), strides, l["padding"], nm))
        elif l["kind"] == "up":
            lines.append("    up_sampling2d(%s, interpolation: %s, %s)" % (
                _nn_value(l["size"]), l["interpolation"], nm))
        else:
            lines.append("    zero_padding2d(%s, %s)" % (
                _nn_value(l["padding"]), nm))
    lines.append("    " + {"flatten": "flatten()",
                           "gap": "global_average_pooling2d()",
                           "gmp": "global_max_pooling2d()"}[spec["head"]])
    return closed(lines, spec, name, optimizer_text)


def keras_cnn_model(keras, spec):
    L = keras.layers
    x = keras.Input(tuple(spec["input"]))
    h = x
    for l in spec["layers"]:
        if l["kind"] == "conv":
            h = L.Conv2D(l["filters"], l["kernel"], strides=l["strides"],
                         padding=l["padding"], dilation_rate=l["dilation"],
                         activation=l["act"], kernel_initializer="zeros",
                         name=l["name"])(h)
        elif l["kind"] == "convt":
            h = L.Conv2DTranspose(l["filters"], l["kernel"],
                                  strides=l["strides"], padding=l["padding"],
                                  activation=l["act"],
                                  kernel_initializer="zeros",
                                  name=l["name"])(h)
        elif l["kind"] == "pool":
            kw = dict(pool_size=l["pool"], strides=l["strides"],
                      padding=l["padding"])
            if l["op"] == "max":
                h = L.MaxPooling2D(name=l["name"], **kw)(h)
            elif l["op"] == "avg":
                h = L.AveragePooling2D(name=l["name"], **kw)(h)
            else:  # min pooling: Keras has none; -max_pool(-x)
                pool = L.MaxPooling2D(**kw)
                h = L.Lambda(lambda t, p=pool: -p(-t), name=l["name"])(h)
        elif l["kind"] == "up":
            h = L.UpSampling2D(l["size"], interpolation=l["interpolation"],
                               name=l["name"])(h)
        else:
            pad = l["padding"]
            h = L.ZeroPadding2D(tuple(tuple(p) if isinstance(p, list) else p
                                      for p in pad)
                                if isinstance(pad, list) else pad,
                                name=l["name"])(h)
    h = {"flatten": L.Flatten(), "gap": L.GlobalAveragePooling2D(),
         "gmp": L.GlobalMaxPooling2D()}[spec["head"]](h)
    u = spec["units"][0]
    h = L.Dense(u["units"], activation=u["act"], kernel_initializer="zeros",
                name=u["name"])(h)
    return keras.Model(x, h)


def metric_names(spec):
    """The loss-and-metric values after the total loss, as Keras logs them
    and nnc reports them (in the same order)."""
    if spec["style"] != "multi":
        return METRICS[spec["loss"]]
    return [h["name"] + suffix for h in spec["heads"]
            for suffix in ("_loss", "_accuracy")]


def multi_nn_text(spec, name, optimizer_text):
    a, b = spec["dims"]
    lines = ["model %s(a: f32[%d], b: f32[%d]) {" % (name, a, b)]
    lines.append('    h = dense(a, %d, activation: %s, name: "pa") + '
                 'dense(b, %d, activation: %s, name: "pb")' % (
                     spec["width"], spec["acts"][0], spec["width"],
                     spec["acts"][1]))
    last = "h"
    if spec["hidden"]:
        lines.append('    g = dense(h, %d, activation: %s, name: "ph")' % (
            spec["hidden"]["units"], spec["hidden"]["act"]))
        last = "g"
    lines.append("    return " + ", ".join(
        'dense(%s, %d, activation: %s, name: "%s")' % (
            last, h["units"], h["act"], h["name"]) for h in spec["heads"]))
    lines.append("}")
    lines.append("train %s {" % name)
    lines.append("    loss: [%s]" % ", ".join(
        LOSSES[h["loss"]][0] for h in spec["heads"]))
    if spec["weights"]:
        lines.append("    loss_weights: [%s]" % ", ".join(
            str(w) for w in spec["weights"]))
    lines.append("    optimizer: " + optimizer_text)
    lines.append("    metrics: [accuracy]")
    lines.append("    batch: %d" % spec["batch"])
    lines.append("}")
    return "\n".join(lines) + "\n"


def dense_nn(src, unit, name=None, units=None, act=None, trainable=True):
    args = [src] if src else []
    args.append(str(units if units is not None else unit["units"]))
    args.append("activation: " + (act or unit["act"]))
    if not trainable:
        args.append("trainable: false")
    args.append('name: "%s"' % (name or unit["name"]))
    return "dense(%s)" % ", ".join(args)


def nn_text(spec, name, optimizer_text):
    """The .nn source of `spec` as model `name`, with its train section."""
    if spec["style"] == "multi":
        return multi_nn_text(spec, name, optimizer_text)
    if spec["style"] == "cnn":
        return cnn_nn_text(spec, name, optimizer_text)
    if spec["style"] == "text":
        return text_nn_text(spec, name, optimizer_text)
    if spec["style"] == "rnn":
        return rnn_nn_text(spec, name, optimizer_text)
    lines, pre = [], []
    block = "res_" + name
    if spec["style"] == "block":
        pre.append("block %s(x: tensor, units: int, act: activation) {" % block)
        pre.append('    h = dense(x, units, activation: act, name: "a")')
        pre.append('    return x + dense(h, units, name: "b")')
        pre.append("}")
    lines.append("model %s(x: f32[%d]) {" % (name, spec["in_dim"]))
    if spec["style"] == "functional":
        cur = "x"
        for i, u in enumerate(spec["units"]):
            v = "h%d" % i
            if u["kind"] == "residual":
                inner = dense_nn(cur, u, name=u["names"][0])
                lines.append("    %s = %s + %s" % (
                    v, cur, dense_nn(inner, u, name=u["names"][1], act="linear")))
            else:
                lines.append("    %s = %s" % (v, dense_nn(cur, u, trainable=u["trainable"])))
            cur = v
        lines.append("    return " + cur)
    else:
        for u in spec["units"]:
            if u["kind"] == "residual":
                lines.append("    %s(%d, %s)" % (block, u["units"], u["act"]))
            else:
                lines.append("    " + dense_nn(None, u, trainable=u["trainable"]))
    lines.append("}")
    lines += train_lines(spec, name, optimizer_text)
    return "\n".join(pre + lines) + "\n"


def param_names(spec):
    """nn parameter name -> (Keras layer name, 'kernel' | 'bias')."""
    out, blocks = {}, 0
    if spec["style"] == "multi":
        layers = ["pa", "pb"] + (["ph"] if spec["hidden"] else []) + [
            h["name"] for h in spec["heads"]]
        return {"%s.%s" % (l, p): (l, p) for l in layers
                for p in ("kernel", "bias")}
    if spec["style"] == "cnn":
        layers = [l["name"] for l in spec["layers"]
                  if l["kind"] in ("conv", "convt")] + ["out"]
        return {"%s.%s" % (l, p): (l, p) for l in layers
                for p in ("kernel", "bias")}
    if spec["style"] == "rnn":
        out = {"out.kernel": ("out", "kernel"), "out.bias": ("out", "bias")}
        if spec.get("state"):
            out["out_s.kernel"] = ("out_s", "kernel")
        if spec["td"]:
            out.update({"td.kernel": ("td", "kernel"), "td.bias": ("td", "bias")})
        if spec["vocabulary"]:
            out["emb.embeddings"] = ("emb", "embeddings")
        for l in spec["layers"]:
            for p in ("kernel", "recurrent_kernel") + (
                    ("bias",) if l["bias"] else ()):
                if l.get("bi"):
                    for half in ("forward", "backward"):
                        out["%s.%s.%s" % (l["name"], half, p)] = (
                            l["name"], "%s_layer.cell.%s" % (half, p))
                else:
                    out["%s.%s" % (l["name"], p)] = (l["name"], "cell." + p)
        return out
    if spec["style"] == "text":
        layers = (["hid"] if spec["hidden"] else []) + ["out"]
        out = {"emb.embeddings": ("emb", "embeddings")}
        out.update({"%s.%s" % (l, p): (l, p) for l in layers
                    for p in ("kernel", "bias")})
        return out
    for u in spec["units"]:
        if u["kind"] == "dense":
            for p in ("kernel", "bias"):
                out["%s.%s" % (u["name"], p)] = (u["name"], p)
        elif spec["style"] == "block":
            inst = "res_NAME" + ("" if blocks == 0 else "_%d" % blocks)
            blocks += 1
            for sub, kname in zip(("a", "b"), u["names"]):
                for p in ("kernel", "bias"):
                    out["%s.%s.%s" % (inst, sub, p)] = (kname, p)
        else:
            for kname in u["names"]:
                for p in ("kernel", "bias"):
                    out["%s.%s" % (kname, p)] = (kname, p)
    return out


def keras_model(keras, spec):
    # The weights are overwritten with nnc's initial ones: zeros initialise
    # without a random-number kernel compiled for every new shape (that was
    # most of the time of building the models).
    def dense(units, **kw):
        return keras.layers.Dense(units, kernel_initializer="zeros", **kw)
    if spec["style"] == "cnn":
        return keras_cnn_model(keras, spec)
    if spec["style"] == "text":
        return keras_text_model(keras, spec)
    if spec["style"] == "rnn":
        return keras_rnn_model(keras, spec)
    if spec["style"] == "multi":
        a, b = (keras.Input((d,)) for d in spec["dims"])
        h = keras.layers.Add()([
            dense(spec["width"], activation=spec["acts"][0], name="pa")(a),
            dense(spec["width"], activation=spec["acts"][1], name="pb")(b)])
        if spec["hidden"]:
            h = dense(spec["hidden"]["units"],
                      activation=spec["hidden"]["act"], name="ph")(h)
        return keras.Model([a, b], [
            dense(o["units"], activation=o["act"], name=o["name"])(h)
            for o in spec["heads"]])
    x = keras.Input((spec["in_dim"],))
    h = x
    for u in spec["units"]:
        if u["kind"] == "residual":
            a = dense(u["units"], activation=u["act"], name=u["names"][0])(h)
            h = keras.layers.Add()([h, dense(u["units"], name=u["names"][1])(a)])
        else:
            h = dense(u["units"], activation=u["act"], name=u["name"],
                      trainable=u["trainable"])(h)
    return keras.Model(x, h)


def random_data(rng, spec, steps):
    """x and y; lists of arrays for a two-input, two-output network."""
    n = spec["batch"] * steps
    if spec["style"] == "multi":
        xs = [rng.standard_normal((n, d)).astype(np.float32)
              for d in spec["dims"]]
        return xs, [random_targets(rng, h["loss"], h["units"], n)
                    for h in spec["heads"]]
    if spec["style"] == "cnn":
        x = rng.standard_normal([n] + spec["input"]).astype(np.float32)
        return x, random_targets(rng, spec["loss"],
                                 spec["units"][-1]["units"], n)
    if spec["style"] == "text" or (spec["style"] == "rnn" and
                                   spec["vocabulary"]):
        x = rng.integers(0, spec["vocabulary"],
                         (n, spec["length"])).astype(np.float32)
        if spec.get("mask"):
            # Padded at the end to a random length (some rows not at all),
            # zeros inside a row too; for pooling the first id of a row is
            # real, so that no masked mean divides by zero.
            if spec["style"] == "text":
                x[:, 0] = rng.integers(1, spec["vocabulary"], n)
            lengths = rng.integers(1, spec["length"] + 1, n)
            x[np.arange(spec["length"])[None, :] >= lengths[:, None]] = 0
        return x, random_targets(rng, spec["loss"],
                                 spec["units"][-1]["units"], n)
    if spec["style"] == "rnn":
        x = rng.standard_normal(
            (n, spec["length"], spec["features"])).astype(np.float32)
        return x, random_targets(rng, spec["loss"],
                                 spec["units"][-1]["units"], n)
    x = rng.standard_normal((n, spec["in_dim"])).astype(np.float32)
    return x, random_targets(rng, spec["loss"], spec["units"][-1]["units"], n)


def random_targets(rng, loss, width, n):
    if loss in ("mse", "mae"):
        y = rng.standard_normal((n, width)).astype(np.float32)
    elif loss.startswith("bce"):
        y = rng.integers(0, 2, (n, width)).astype(np.float32)
    elif loss.startswith("scce"):
        y = rng.integers(0, width, (n, 1)).astype(np.float32)
    else:
        y = np.eye(width, dtype=np.float32)[rng.integers(0, width, n)]
    return y


def save_arrays(base, x, y):
    """<m>.x.npy and <m>.y.npy, or x0, x1, y0, y1 for lists (as
    nnc-trainparity reads them)."""
    for stem, value in (("x", x), ("y", y)):
        if isinstance(value, list):
            for k, v in enumerate(value):
                np.save("%s.%s%d.npy" % (base, stem, k), v)
        else:
            np.save("%s.%s.npy" % (base, stem), value)


def load_arrays(base, spec):
    if spec["style"] != "multi":
        return np.load(base + ".x.npy"), np.load(base + ".y.npy")
    return ([np.load("%s.x%d.npy" % (base, k)) for k in range(2)],
            [np.load("%s.y%d.npy" % (base, k)) for k in range(2)])


def rows(value, begin, end):
    """Rows [begin, end) of an array or of each array of a list."""
    if isinstance(value, list):
        return [v[begin:end] for v in value]
    return value[begin:end]


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
    return out


def read_log(path):
    rows = []
    with open(path) as f:
        for line in f:
            rows.append([float(v) for v in line.split()[1:]])
    return rows


# ---------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------

class KerasRun:
    """One compiled Keras model and its train_step state."""

    def __init__(self, keras, spec, opt_name, lr, weights, nn_names):
        self.model = keras_model(keras, spec)
        if spec["style"] == "multi":
            self.model.compile(
                optimizer=OPTIMIZERS[opt_name][1](keras, lr),
                loss=[LOSSES[h["loss"]][1] for h in spec["heads"]],
                loss_weights=spec["weights"],
                metrics=[["accuracy"] for _ in spec["heads"]])
        else:
            self.model.compile(optimizer=OPTIMIZERS[opt_name][1](keras, lr),
                               loss=LOSSES[spec["loss"]][1],
                               metrics=METRICS[spec["loss"]])
        layers = {l.name: l for l in self.model.layers}
        for nn_name, (layer, which) in nn_names.items():
            var = weight_of(layers[layer], which)
            if tuple(var.shape) != weights[nn_name].shape:
                raise SystemExit("shape mismatch for %s" % nn_name)
            var.assign(weights[nn_name])
        self.nn_names = nn_names
        self.layers = layers

    def build(self, x, y):
        self.model._symbolic_build(data_batch=(x, y))
        self.model.optimizer.build(self.model.trainable_variables)
        m = self.model
        self.state = ([v.value for v in m.trainable_variables],
                      [v.value for v in m.non_trainable_variables],
                      [v.value for v in m.optimizer.variables],
                      [v.value for v in m.metrics_variables])
        self.fresh_metrics = self.state[3]

    def slots(self, optimizer_values):
        """nn state name ('d0.kernel/m') -> value, from optimizer values."""
        opt = self.model.optimizer
        index = {id(v): i for i, v in enumerate(opt.variables)}
        trainable = self.model.trainable_variables
        out = {}
        lists = []
        if hasattr(opt, "_momentums") and hasattr(opt, "_velocities"):
            lists = [("m", opt._momentums), ("v", opt._velocities)]
        elif getattr(opt, "momentums", None):
            lists = [("momentum", opt.momentums)]
        by_var = {id(v): n for n, (l, w) in self.nn_names.items()
                  for v in [weight_of(self.layers[l], w)]}
        for slot, values in lists:
            for var, s in zip(trainable, values):
                out["optimizer/%s/%s" % (by_var[id(var)], slot)] = np.asarray(
                    optimizer_values[index[id(s)]])
        return out

    def params(self, trainable_values, non_trainable_values):
        m = self.model
        values = {id(v): np.asarray(t) for v, t in zip(m.trainable_variables,
                                                       trainable_values)}
        values.update({id(v): np.asarray(t) for v, t in zip(
            m.non_trainable_variables, non_trainable_values)})
        return {n: values[id(weight_of(self.layers[l], w))]
                for n, (l, w) in self.nn_names.items()}


def difference(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return float("inf")
    return float(np.max(np.abs(got - want)) / (np.max(np.abs(want)) + 1e-3))


# ---------------------------------------------------------------------------

# -log(1e-7): the largest per-sample cross-entropy Keras' JAX backend can
# produce, since it clips softmax probabilities to [1e-7, 1 - 1e-7] before the
# log. nnc, like Keras on TensorFlow, takes the cross-entropy of a softmax
# from its logits (no clip), so once a sample's probability of its class
# falls below 1e-7 the two losses and gradients differ by design.
KERAS_CLIP_LOSS = 16.118


def clipped_by_keras(spec, log_rows):
    """Whether Keras' clipping may have been active in any of these steps:
    a batch whose summed per-sample cross-entropy stays below the clip's
    loss has no sample beyond it. (A coarse test: it only excuses a
    snapshot that differs, see keras_group.)"""
    if spec["style"] == "multi" or spec["loss"] not in ("cce_logits",
                                                        "scce_logits"):
        return False
    return any(row[0] * spec["batch"] > KERAS_CLIP_LOSS for row in log_rows)


def keras_group(gdir, steps, tolerance):
    """Keras on one group (after nnc-trainparity ran on it): every model of
    the group in one jitted function. Returns the group's comparisons."""
    import jax
    import keras
    plan = json.load(open(os.path.join(gdir, "plan.json")))
    runs = []
    for spec, opt, name, lr in plan:
        x, y = load_arrays(os.path.join(gdir, name), spec)
        runs.append((spec, opt, name, lr, x, y))
    out = {"worst": {o: [0.0, ""] for o in OPTIMIZERS}, "failures": [],
           "compared": 0, "diverged": 0, "clipped": 0, "noise_allowed": 0}
    kruns = []
    for spec, opt, name, lr, x, y in runs:
        init = read_safetensors(os.path.join(gdir, name + ".init.safetensors"))
        names = {k.replace("res_NAME", "res_" + name): v
                 for k, v in param_names(spec).items()}
        if set(names) != set(init):
            out["failures"].append("%s: parameter names differ: %s" % (
                name, sorted(set(names) ^ set(init))))
            return out
        kr = KerasRun(keras, spec, opt, lr, init, names)
        kr.build(rows(x, 0, spec["batch"]), rows(y, 0, spec["batch"]))
        kruns.append(kr)

    def train_steps(states, batches):
        return [kr.model.train_step(s, b)
                for kr, s, b in zip(kruns, states, batches)]
    jitted = jax.jit(train_steps)
    states = [kr.state for kr in kruns]
    keras_logs, snapshots = [], {}
    for s in range(steps):
        batches = []
        for (spec, _, _, _, x, y) in runs:
            b = spec["batch"]
            batches.append((rows(x, s * b, (s + 1) * b),
                            rows(y, s * b, (s + 1) * b)))
        # Metrics restart every step: the logs are this batch's values.
        states = [(st[0], st[1], st[2], kr.fresh_metrics)
                  for st, kr in zip(states, kruns)]
        result = jitted(states, batches)
        keras_logs.append([r[0] for r in result])
        states = [r[1] for r in result]
        if s + 1 in (1, steps):
            snapshots[s + 1] = states

    for i, (spec, opt, name, lr, x, y) in enumerate(runs):
        kr = kruns[i]
        log = read_log(os.path.join(gdir, name + ".log"))
        for step, snapshot in snapshots.items():
            st = snapshot[i]
            ours = read_safetensors(os.path.join(
                gdir, "%s.step%d.safetensors" % (name, step)))
            f64 = read_safetensors(os.path.join(
                gdir, "%s.ref%d.safetensors" % (name, step)))
            theirs = kr.params(st[0], st[1])
            theirs.update(kr.slots(st[2]))
            logs = keras_logs[step - 1][i]
            theirs["loss"] = np.float32(logs["loss"])
            ours["loss"] = np.float32(log[step - 1][0])
            for j, metric in enumerate(metric_names(spec)):
                theirs[metric] = np.float32(logs[metric])
                ours[metric] = np.float32(log[step - 1][1 + j])
            if set(ours) != set(theirs):
                out["failures"].append("%s: nnc has %s, Keras %s" % (
                    name, sorted(set(ours) - set(theirs)),
                    sorted(set(theirs) - set(ours))))
                continue
            if not all(np.all(np.isfinite(v)) for v in theirs.values()):
                # Keras diverged too (a random net at a large step): nothing
                # left to compare from here on.
                out["diverged"] += 1
                break
            # Where Keras' clip may have acted, a difference is expected: it
            # excuses a mismatch (counted), never a match.
            clipped = clipped_by_keras(spec, log[:step])
            excused = False
            for key in ours:
                d = difference(ours[key], theirs[key])
                # Two f32 computations of a tensor can differ by the f32
                # rounding each carries: nnc's own distance from its f64
                # reference measures it (large where Adam divides by the
                # root of a tiny v), and Keras' is of the same size.
                noise = difference(ours[key], f64[key]) if key in f64 else 0.0
                allowed = tolerance + 2 * noise
                out["compared"] += 1
                out["noise_allowed"] += d > tolerance and d <= allowed
                where = "%s step %d %s" % (name, step, key)
                if d > allowed and clipped:
                    excused = True
                    continue
                if d > out["worst"][opt][0]:
                    out["worst"][opt] = [d, where]
                if d > allowed:
                    out["failures"].append(
                        "keras: %s: difference %.2e (allowed %.2e)" % (
                            where, d, allowed))
            if excused:
                out["clipped"] += 1
                break
    return out


def keras_worker(args):
    """`--worker G1,G2,...`: Keras on those groups, one JSON line each."""
    import jax
    # The models are the same from run to run (seeded): XLA's compilations
    # are kept between runs on one machine.
    cache = os.path.join(os.path.expanduser("~"), ".cache", "nnc", "xla")
    jax.config.update("jax_compilation_cache_dir", cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    import keras
    for gdir in args.worker.split(","):
        result = keras_group(gdir, args.steps, args.tolerance)
        print(json.dumps(result), flush=True)
        keras.backend.clear_session()
        jax.clear_caches()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nnc")
    ap.add_argument("--tool", help="nnc-trainparity")
    ap.add_argument("--models", type=int, default=200)
    ap.add_argument("--multi", type=int, default=10,
                    help="two-input, two-output networks, after --models")
    ap.add_argument("--cnn", type=int, default=20,
                    help="convolutional networks, after --multi")
    ap.add_argument("--text", type=int, default=6,
                    help="embedding networks on token ids, after --cnn")
    ap.add_argument("--rnn", type=int, default=12,
                    help="recurrent networks, after --text")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--group", type=int, default=10,
                    help="random networks per compiled artifact")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--opt-level", default="0",
                    help="nnc's -O for the parity build (the numerics do "
                         "not depend on it; -O0 compiles fastest)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--work", help="keep the files here")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return keras_worker(args)
    if not args.nnc or not args.tool:
        ap.error("--nnc and --tool are required")

    t_start = time.time()
    work = args.work or tempfile.mkdtemp(prefix="nnc-parity-")
    os.makedirs(work, exist_ok=True)
    rng = random.Random(args.seed)
    nprng = np.random.default_rng(args.seed)
    specs = [random_spec(rng, i) for i in range(args.models)]
    # Their own generator: the single-output networks stay as they were.
    multi_rng = random.Random(args.seed + 7919)
    specs += [random_multi_spec(multi_rng, args.models + i)
              for i in range(args.multi)]
    cnn_rng = random.Random(args.seed + 104729)
    specs += [random_cnn_spec(cnn_rng, args.models + args.multi + i)
              for i in range(args.cnn)]
    text_rng = random.Random(args.seed + 15485863)
    specs += [random_text_spec(text_rng,
                               args.models + args.multi + args.cnn + i)
              for i in range(args.text)]
    rnn_rng = random.Random(args.seed + 32452843)
    specs += [random_rnn_spec(
        rnn_rng, args.models + args.multi + args.cnn + args.text + i)
        for i in range(args.rnn)]

    # 1. Sources and data of every group; nnc compiles them, --jobs at once.
    groups = []
    for g0 in range(0, len(specs), args.group):
        gdir = os.path.join(work, "g%03d" % (g0 // args.group))
        os.makedirs(gdir, exist_ok=True)
        source, plan = [], []
        for spec in specs[g0:g0 + args.group]:
            x, y = random_data(nprng, spec, args.steps)
            for opt in OPTIMIZERS:
                name = "m%d_%s" % (spec["index"], opt)
                lr = round(rng.uniform(0.001, 0.01) if opt == "adam"
                           else rng.uniform(0.005, 0.05), 4)
                source.append(nn_text(spec, name,
                                      OPTIMIZERS[opt][0].format(lr=lr)))
                save_arrays(os.path.join(gdir, name), x, y)
                plan.append((spec, opt, name, lr))
        with open(os.path.join(gdir, "models.nn"), "w") as f:
            f.write("\n".join(source))
        with open(os.path.join(gdir, "plan.json"), "w") as f:
            json.dump(plan, f)
        groups.append(gdir)

    def compile_group(gdir):
        return subprocess.Popen(
            [args.nnc, os.path.join(gdir, "models.nn"), "--shared",
             "-O" + args.opt_level, "-o", os.path.join(gdir, "models.so")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    pending, running = list(groups), []
    while pending or running:
        while pending and len(running) < args.jobs:
            gdir = pending.pop(0)
            running.append((gdir, compile_group(gdir)))
        gdir, proc = running.pop(0)
        _, err = proc.communicate()
        if proc.returncode:
            sys.exit("nnc failed on %s/models.nn:\n%s" % (gdir, err[-4000:]))
    t_compiled = time.time()

    # 2. Compiled steps and the f64 reference (nnc-trainparity).
    worst_ref, failures = [0.0, ""], []
    for gdir in groups:
        r = subprocess.run([args.tool, os.path.join(gdir, "models.nn"),
                            os.path.join(gdir, "models.so"), gdir, "--steps",
                            str(args.steps), "--tolerance", str(args.tolerance)],
                           capture_output=True, text=True)
        if r.returncode not in (0, 1):
            # 2: a usage or load error; negative: killed by a signal (a
            # compiled step that crashed), its last line cut short.
            sys.exit("nnc-trainparity failed on %s (exit %d):\n%s\n%s" % (
                gdir, r.returncode, r.stdout[-1000:], r.stderr[-4000:]))
        for line in r.stdout.splitlines():
            d = float(line.split("worst ")[1].split()[0])
            if not d <= worst_ref[0]:
                worst_ref[:] = [d, line]
            if "FAIL" in line:
                failures.append("reference: " + line)
    t_ran = time.time()

    # 3. Keras, in --jobs worker processes.
    workers = [subprocess.Popen(
        [sys.executable, __file__, "--worker", ",".join(groups[k::args.jobs]),
         "--steps", str(args.steps), "--tolerance", str(args.tolerance)],
        stdout=subprocess.PIPE, text=True) for k in range(args.jobs)
        if groups[k::args.jobs]]
    worst = {o: [0.0, ""] for o in OPTIMIZERS}
    compared = diverged = clipped = noise_allowed = 0
    for w in workers:
        out, _ = w.communicate()
        if w.returncode:
            sys.exit("a Keras worker failed (exit %d)" % w.returncode)
        for line in out.splitlines():
            r = json.loads(line)
            for opt, (d, where) in r["worst"].items():
                if d > worst[opt][0]:
                    worst[opt] = [d, where]
            failures += r["failures"]
            compared += r["compared"]
            diverged += r["diverged"]
            clipped += r["clipped"]
            noise_allowed += r["noise_allowed"]
    t_end = time.time()

    print("Keras parity: %d random networks (%d with two inputs and two "
          "outputs, %d convolutional, %d on token ids, %d recurrent) x %d "
          "optimizers, %d steps, %d tensors compared (tolerance %.0e)" % (
              len(specs), args.multi, args.cnn, args.text, args.rnn,
              len(OPTIMIZERS),
              args.steps, compared, args.tolerance))
    print("%-14s %12s  %s" % ("optimizer", "worst diff", "where"))
    for opt, (d, where) in worst.items():
        print("%-14s %12.2e  %s" % (opt, d, where))
    print("%-14s %12.2e  %s" % ("f64 reference", worst_ref[0],
                                worst_ref[1].split(":")[0]))
    print("%d comparisons over the tolerance but within their f32 noise" %
          noise_allowed)
    if diverged:
        print("%d snapshots not compared: Keras diverged as well" % diverged)
    if clipped:
        print("%d snapshots differed where a softmax probability may have "
              "fallen below Keras' 1e-7 clip (not counted)" % clipped)
    print("time %.0fs: nnc -O%s %.0fs, compiled steps + reference %.0fs, "
          "Keras %.0fs (%d jobs)" % (t_end - t_start, args.opt_level,
                                     t_compiled - t_start, t_ran - t_compiled,
                                     t_end - t_ran, args.jobs))
    for f in failures[:40]:
        print("FAIL " + f)
    if failures or compared == 0:
        print("%d comparisons outside tolerance" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
