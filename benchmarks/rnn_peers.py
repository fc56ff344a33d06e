"""The recurrent workload of benchmarks/peers.py, one training step of each
framework, as benchmarks/models/lstm_text.nn: 200 token ids per sample, an
embedding (10000, 32), LSTM(64) (Keras' gates, the last h), a dense sigmoid
output, Adam(1e-3) on binary cross-entropy, batch 32. JAX is the cell in a
jax.lax.scan; Keras its LSTM layer on JAX; PyTorch its nn.LSTM (one fused
CPU kernel per direction, what a PyTorch user would time).
"""
import os

import numpy as np

VOCABULARY, FEATURES, UNITS, STEPS, BATCH = 10000, 32, 64, 200, 32


def data():
    rng = np.random.default_rng(1)
    x = rng.integers(0, VOCABULARY, (BATCH, STEPS)).astype(np.int32)
    y = (np.arange(BATCH) % 2).astype(np.float32).reshape(BATCH, 1)
    return x, y


def glorot(rng, shape):
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def run_jax(blocks, time_blocks, adam_call):
    import jax
    import jax.numpy as jnp
    x, y = data()
    rng = np.random.default_rng(0)
    # A list of lists (the shared Adam step waits on ps[0][0]).
    ps = [[jnp.asarray(rng.uniform(-0.05, 0.05, (VOCABULARY, FEATURES))
                       .astype(np.float32))],
          [jnp.asarray(glorot(rng, (FEATURES, 4 * UNITS))),
           jnp.asarray(glorot(rng, (UNITS, 4 * UNITS))), jnp.zeros(4 * UNITS)],
          [jnp.asarray(glorot(rng, (UNITS, 1))), jnp.zeros(1)]]

    def forward(ps, ids):
        (emb,), (w, u, b), (wo, bo) = ps
        e = emb[ids]                             # (batch, steps, features)
        z_in = e @ w + b                         # every step's input part
        def cell(carry, z):
            h, c = carry
            z = z + h @ u
            i, f, g, o = jnp.split(z, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None
        zeros = jnp.zeros((ids.shape[0], UNITS))
        (h, _), _ = jax.lax.scan(cell, (zeros, zeros),
                                 jnp.swapaxes(z_in, 0, 1))
        return h @ wo + bo

    def loss(ps, ids, y):
        logits = forward(ps, ids)
        return jnp.mean(jnp.maximum(logits, 0) - logits * y +
                        jnp.log1p(jnp.exp(-jnp.abs(logits))))

    time_blocks(adam_call(loss, ps, x, y), blocks)


def run_keras(blocks, time_blocks):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    x, y = data()
    L = keras.layers
    model = keras.Sequential([keras.Input((STEPS,)),
                              L.Embedding(VOCABULARY, FEATURES),
                              L.LSTM(UNITS),
                              L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="binary_crossentropy")
    time_blocks(lambda: model.train_on_batch(x, y), blocks)


def run_torch(blocks, time_blocks, compiled):
    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    x, y = data()

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(VOCABULARY, FEATURES)
            self.lstm = torch.nn.LSTM(FEATURES, UNITS, batch_first=True)
            self.out = torch.nn.Linear(UNITS, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.emb(ids))
            return self.out(h[-1])

    model = Net()
    xs, ys = torch.from_numpy(x).long(), torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    lossf = torch.nn.BCEWithLogitsLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        lossf(model(xs), ys).backward()
        opt.step()

    time_blocks(torch.compile(step) if compiled else step, blocks)
