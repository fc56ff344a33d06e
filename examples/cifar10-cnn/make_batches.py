#!/usr/bin/env python3
"""Writes files in CIFAR-10's binary format (each record: one label byte,
then the red, green and blue 32x32 planes, row-major) for machines that
cannot download the real data. The images are drawn so that a CNN has
something to learn from shape and colour, not from one pixel: class k is a
blurred square, disc or stripe pattern (k % 5 picks the shape) whose hue
depends on k // 5, placed at a random position over a noisy background.
Standard library only.

    make_batches.py OUT.bin COUNT [--seed S]
"""
import argparse
import math
import random

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("count", type=int)
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()
rng = random.Random(args.seed)


def inside(shape, x, y, cx, cy, r):
    dx, dy = x - cx, y - cy
    if shape == 0:
        return abs(dx) <= r and abs(dy) <= r                  # square
    if shape == 1:
        return dx * dx + dy * dy <= r * r                     # disc
    if shape == 2:
        return abs(dx) <= r and (y // 3) % 2 == 0             # stripes
    if shape == 3:
        return abs(dx) + abs(dy) <= r                         # diamond
    return abs(dx) <= r // 3 or abs(dy) <= r // 3             # cross


with open(args.out, "wb") as f:
    for _ in range(args.count):
        k = rng.randrange(10)
        shape, warm = k % 5, k // 5
        cx, cy, r = rng.randint(9, 22), rng.randint(9, 22), rng.randint(5, 8)
        colour = (200, 90, 40) if warm else (40, 110, 210)
        planes = []
        for c in range(3):
            plane = bytearray(1024)
            for y in range(32):
                for x in range(32):
                    v = 100 + rng.randint(-40, 40)
                    if inside(shape, x, y, cx, cy, r):
                        v = colour[c] + rng.randint(-30, 30)
                    plane[y * 32 + x] = max(0, min(255, v))
            planes.append(bytes(plane))
        f.write(bytes([k]) + b"".join(planes))
