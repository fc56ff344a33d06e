#!/usr/bin/env python3
"""Writes the denoising example's arrays from Fashion-MNIST's IDX files:
clean images scaled to 0..1 and the same images with Gaussian noise
(standard deviation --sigma, seeded) clipped to 0..1, as (n, 28, 28, 1)
float32 .npy files: train_noisy, train_clean, test_noisy, test_clean.

    noisy.py DATA_DIR OUT_DIR [--sigma 0.3] [--seed 0]
"""
import argparse
import gzip
import os

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("out")
ap.add_argument("--sigma", type=float, default=0.3)
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()
rng = np.random.default_rng(args.seed)


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    rank = data[3]
    dims = np.frombuffer(data, ">u4", rank, 4)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


for part, name in (("train", "train-images-idx3-ubyte.gz"),
                   ("test", "t10k-images-idx3-ubyte.gz")):
    clean = read_idx(os.path.join(args.data, name)).astype(np.float32) / 255
    clean = clean[..., None]
    noise = rng.normal(0.0, args.sigma, clean.shape).astype(np.float32)
    noisy = np.clip(clean + noise, 0.0, 1.0)
    np.save(os.path.join(args.out, part + "_clean.npy"), clean)
    np.save(os.path.join(args.out, part + "_noisy.npy"), noisy)
