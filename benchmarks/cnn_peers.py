"""The convolutional workloads of benchmarks/peers.py, one training step of
each framework: conv2d (3x3, valid, relu) and 2x2 max pooling layers, then
dense layers, Adam(1e-3) on categorical cross-entropy of a softmax output,
as benchmarks/models/{fashion_cnn,cifar_cnn}.nn. Images are channels-last
for JAX and Keras (as nnc's), channels-first for PyTorch (its native
layout, what a PyTorch user would time).
"""
import os

import numpy as np

# input (h, w, c), layers ("conv", filters) / ("pool",), dense units,
# classes, batch
CNNS = {
    "fashion-train": ((28, 28, 1), [("conv", 32), ("pool",), ("conv", 64),
                                    ("pool",)], [128], 10, 64),
    "cifar-train": ((32, 32, 3), [("conv", 32), ("pool",), ("conv", 64),
                                  ("pool",), ("conv", 64)], [64], 10, 64),
}


def data(spec):
    (h, w, c), _, _, classes, batch = spec
    rng = np.random.default_rng(1)
    x = rng.random((batch, h, w, c), dtype=np.float32)
    y = np.zeros((batch, classes), np.float32)
    y[np.arange(batch), np.arange(batch) % classes] = 1
    return x, y


def shapes(spec):
    """Kernel shapes in Keras' layout (kh, kw, in, out) and dense (in, out)."""
    (h, w, c), layers, dense, classes, _ = spec
    convs = []
    for layer in layers:
        if layer[0] == "conv":
            convs.append((3, 3, c, layer[1]))
            h, w, c = h - 2, w - 2, layer[1]
        else:
            h, w = h // 2, w // 2
    flat = h * w * c
    dims = [flat] + dense + [classes]
    return convs, list(zip(dims[:-1], dims[1:]))


def glorot(rng, shape):
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def run_jax(spec, blocks, time_blocks, adam_call):
    import jax
    import jax.numpy as jnp
    from jax import lax
    x, y = data(spec)
    convs, denses = shapes(spec)
    rng = np.random.default_rng(0)
    ps = ([(jnp.asarray(glorot(rng, s)), jnp.zeros(s[-1])) for s in convs] +
          [(jnp.asarray(glorot(rng, s)), jnp.zeros(s[-1])) for s in denses])
    layers = spec[1]

    def forward(ps, x):
        i = 0
        for layer in layers:
            if layer[0] == "conv":
                w, b = ps[i]
                i += 1
                x = lax.conv_general_dilated(
                    x, w, (1, 1), "VALID",
                    dimension_numbers=("NHWC", "HWIO", "NHWC"))
                x = jax.nn.relu(x + b)
            else:
                x = lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1),
                                      (1, 2, 2, 1), "VALID")
        x = x.reshape(x.shape[0], -1)
        for j, (w, b) in enumerate(ps[i:]):
            x = x @ w + b
            if i + j + 1 < len(ps):
                x = jax.nn.relu(x)
        return x

    def loss(ps, x, y):
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(forward(ps, x)), -1))

    time_blocks(adam_call(loss, ps, x, y), blocks)


def run_keras(spec, blocks, time_blocks):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    x, y = data(spec)
    L = keras.layers
    layers = [keras.Input(spec[0])]
    for layer in spec[1]:
        layers.append(L.Conv2D(layer[1], 3, activation="relu")
                      if layer[0] == "conv" else L.MaxPooling2D())
    layers.append(L.Flatten())
    layers += [L.Dense(n, activation="relu") for n in spec[2]]
    layers.append(L.Dense(spec[3], activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="categorical_crossentropy")
    time_blocks(lambda: model.train_on_batch(x, y), blocks)


def run_torch(spec, blocks, time_blocks, compiled):
    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    x, y = data(spec)
    (h, w, c), layers, dense, classes, _ = spec
    convs, denses = shapes(spec)
    mods, k = [], 0
    for layer in layers:
        if layer[0] == "conv":
            kh, kw, cin, cout = convs[k]
            k += 1
            mods += [torch.nn.Conv2d(cin, cout, (kh, kw)), torch.nn.ReLU()]
        else:
            mods.append(torch.nn.MaxPool2d(2))
    mods.append(torch.nn.Flatten())
    for i, (a, b) in enumerate(denses):
        mods.append(torch.nn.Linear(a, b))
        if i + 1 < len(denses):
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    xs = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    ys = torch.from_numpy(y).argmax(1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    lossf = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        lossf(model(xs), ys).backward()
        opt.step()

    time_blocks(torch.compile(step) if compiled else step, blocks)
