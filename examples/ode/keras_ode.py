#!/usr/bin/env python3
"""The three ODEs of solve.py in Keras 3 (JAX backend), for comparison.

The same network (Dense(32, tanh), Dense(32, tanh), Dense(1), Keras' default
initialisers), trial function g(x) = 1 + x * net(x), loss mean((dg/dx -
f(x))^2) on the same 100 collocation points, Adam(0.01), batches of 100
(the whole set, as the .nn files say), 5000 epochs, shuffled every epoch. dg/dx is JAX's
gradient of sum(g) with respect to x, what tf.GradientTape gives the course.
Prints one JSON line: {"ode1": [max |g - u| on [0, 2] per seed], ...}.
"""

import argparse
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

ODES = {
    "ode1": (lambda x: 2 * x, lambda x: 1 + x * x),
    "ode2": (lambda x: x * x, lambda x: 1 + x ** 3 / 3),
    "ode3": (lambda x: x * x - 2 * x, lambda x: 1 + x ** 3 / 3 - x * x),
}


def solve(rhs, exact, x_all, seed, epochs=5000, batch=100):
    keras.utils.set_random_seed(seed)
    net = keras.Sequential([keras.Input((1,)),
                            keras.layers.Dense(32, activation="tanh"),
                            keras.layers.Dense(32, activation="tanh"),
                            keras.layers.Dense(1)])
    opt = keras.optimizers.Adam(learning_rate=0.01)
    opt.build(net.trainable_variables)

    def g(tv, x):
        y, _ = net.stateless_call(tv, [], x)
        return 1 + x * y

    def loss(tv, x):
        dg = jax.grad(lambda xx: jnp.sum(g(tv, xx)))(x)
        return jnp.mean((dg - rhs(x)) ** 2)

    @jax.jit
    def step(tv, ov, x):
        value, grads = jax.value_and_grad(loss)(tv, x)
        tv, ov = opt.stateless_apply(ov, grads, tv)
        return tv, ov, value

    tv = [v.value for v in net.trainable_variables]
    ov = [v.value for v in opt.variables]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x_all))
        for s in range(0, len(x_all), batch):
            tv, ov, _ = step(tv, ov, x_all[order[s:s + batch]])
    pred = np.asarray(g(tv, x_all))[:, 0]
    return float(np.max(np.abs(pred - exact(x_all[:, 0]))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--points", required=True, help="CSV, one x per line")
    args = ap.parse_args()
    x = np.loadtxt(args.points, dtype=np.float32).reshape(-1, 1)
    out = {name: [solve(rhs, exact, x, seed) for seed in range(args.seeds)]
           for name, (rhs, exact) in ODES.items()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
