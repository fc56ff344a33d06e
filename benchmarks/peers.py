#!/usr/bin/env python3
"""One peer framework timing one workload: peers.py FRAMEWORK WORKLOAD BLOCKS

Prints one line per block: the mean time per call in microseconds. Run by
benchmarks/step-time.py (which alternates nnc and the peers); it sets the
thread count through the environment before this process starts.

Workloads (the same networks as benchmarks/models/*.nn, Keras' defaults:
glorot-uniform kernels, zero biases, Adam(1e-3), categorical cross-entropy
on a softmax output):
  mlp-train      784-256-128-10, batch 64, one Adam step
  big-train      784-1024-1024-10, batch 256, one Adam step
  mlp-predict    784-256-128-10, batch 1024, forward pass
  fashion-train  the Fashion-MNIST CNN, batch 64, one Adam step
  cifar-train    the CIFAR-10 CNN, batch 64, one Adam step
                 (benchmarks/cnn_peers.py)
  lstm-train     embedding(10000, 32), LSTM(64) over 200 tokens, dense
                 sigmoid, batch 32, one Adam step (benchmarks/rnn_peers.py)
Frameworks: jax (jit, the step written out), keras (Keras 3 on JAX,
train_on_batch / predict_on_batch), torch (eager), torch-compile
(torch.compile of the step).
"""
import os
import sys
import time

import numpy as np

WORKLOADS = {
    "mlp-train": ([784, 256, 128, 10], 64, True),
    "big-train": ([784, 1024, 1024, 10], 256, True),
    "mlp-predict": ([784, 256, 128, 10], 1024, False),
}


def data(sizes, batch):
    rng = np.random.default_rng(1)
    x = rng.random((batch, sizes[0]), dtype=np.float32)
    y = np.zeros((batch, sizes[-1]), np.float32)
    y[np.arange(batch), np.arange(batch) % sizes[-1]] = 1
    return x, y


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def params(sizes):
    rng = np.random.default_rng(0)
    return [(glorot(rng, a, b), np.zeros(b, np.float32))
            for a, b in zip(sizes[:-1], sizes[1:])]


def time_blocks(call, blocks):
    """Mean time per call over blocks of ~0.2 s after a warm-up."""
    for _ in range(3):
        call()
    t0 = time.perf_counter()
    call()
    one = time.perf_counter() - t0
    n = max(1, int(0.2 / max(one, 1e-7)))
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(n):
            call()
        print("%.3f" % ((time.perf_counter() - t0) / n * 1e6), flush=True)


def run_jax(sizes, batch, train, blocks):
    import jax
    import jax.numpy as jnp
    x, y = data(sizes, batch)
    ps = [(jnp.asarray(w), jnp.asarray(b)) for w, b in params(sizes)]

    def forward(ps, x):
        for i, (w, b) in enumerate(ps):
            x = x @ w + b
            if i + 1 < len(ps):
                x = jax.nn.relu(x)
        return x  # logits

    if not train:
        f = jax.jit(lambda ps, x: jax.nn.softmax(forward(ps, x)))
        time_blocks(lambda: f(ps, x).block_until_ready(), blocks)
        return

    def loss(ps, x, y):
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(forward(ps, x)), -1))

    time_blocks(jax_adam_call(loss, ps, x, y), blocks)


def jax_adam_call(loss, ps, x, y):
    """One jitted Adam(1e-3) step of `loss` over the parameter tree `ps`, as
    a call that runs a step and waits for it."""
    import jax
    import jax.numpy as jnp

    @jax.jit
    def step(ps, m, v, t, x, y):
        g = jax.grad(loss)(ps, x, y)
        t = t + 1
        lr = 1e-3 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
        ps = jax.tree.map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-7),
                          ps, m, v)
        return ps, m, v, t

    state = [ps, jax.tree.map(jnp.zeros_like, ps),
             jax.tree.map(jnp.zeros_like, ps), jnp.float32(0)]
    xs, ys = jnp.asarray(x), jnp.asarray(y)

    def call():
        state[:] = step(*state, xs, ys)
        state[0][0][0].block_until_ready()

    return call


def run_keras(sizes, batch, train, blocks):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    x, y = data(sizes, batch)
    layers = [keras.Input((sizes[0],))]
    for i, n in enumerate(sizes[1:]):
        last = i + 2 == len(sizes)
        layers.append(keras.layers.Dense(n, activation="softmax" if last
                                         else "relu"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="categorical_crossentropy")
    if train:
        time_blocks(lambda: model.train_on_batch(x, y), blocks)
    else:
        time_blocks(lambda: model.predict_on_batch(x), blocks)


def run_torch(sizes, batch, train, blocks, compiled):
    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    x, y = data(sizes, batch)
    mods = []
    for i, (w, b) in enumerate(params(sizes)):
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if i + 2 < len(sizes):
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y).argmax(1)
    if not train:
        def predict():
            with torch.no_grad():
                return torch.softmax(model(xs), -1)
        f = torch.compile(predict) if compiled else predict
        time_blocks(f, blocks)
        return
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    lossf = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        lossf(model(xs), ys).backward()
        opt.step()

    time_blocks(torch.compile(step) if compiled else step, blocks)


def main():
    framework, workload, blocks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if workload == "lstm-train":
        import rnn_peers
        if framework == "jax":
            rnn_peers.run_jax(blocks, time_blocks, jax_adam_call)
        elif framework == "keras":
            rnn_peers.run_keras(blocks, time_blocks)
        elif framework in ("torch", "torch-compile"):
            rnn_peers.run_torch(blocks, time_blocks,
                                framework == "torch-compile")
        else:
            sys.exit("unknown framework " + framework)
        return
    if workload not in WORKLOADS:
        import cnn_peers
        spec = cnn_peers.CNNS[workload]
        if framework == "jax":
            cnn_peers.run_jax(spec, blocks, time_blocks, jax_adam_call)
        elif framework == "keras":
            cnn_peers.run_keras(spec, blocks, time_blocks)
        elif framework in ("torch", "torch-compile"):
            cnn_peers.run_torch(spec, blocks, time_blocks,
                                framework == "torch-compile")
        else:
            sys.exit("unknown framework " + framework)
        return
    sizes, batch, train = WORKLOADS[workload]
    if framework == "jax":
        run_jax(sizes, batch, train, blocks)
    elif framework == "keras":
        run_keras(sizes, batch, train, blocks)
    elif framework in ("torch", "torch-compile"):
        run_torch(sizes, batch, train, blocks, framework == "torch-compile")
    else:
        sys.exit("unknown framework " + framework)


if __name__ == "__main__":
    main()
