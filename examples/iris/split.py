#!/usr/bin/env python3
"""The seed course's preprocessing of iris, with the standard library only.

A stratified 80/20 train/test split (sklearn's train_test_split with
stratify=y, in spirit: 40 of each class for training, 10 for testing), then
standardised features: mean and standard deviation are fitted on the training
rows only and applied to both files, as StandardScaler does.

    split.py iris.csv OUT_DIR [--seed S]   ->  OUT_DIR/train.csv, OUT_DIR/test.csv
"""
import argparse
import csv
import math
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--test-fraction", type=float, default=0.2)
    args = ap.parse_args()

    with open(args.data, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]  # "150,4,setosa,versicolor,virginica"
    samples = [([float(v) for v in r[:-1]], int(r[-1])) for r in rows if r]

    rng = random.Random(args.seed)
    train, test = [], []
    for label in sorted({s[1] for s in samples}):
        members = [s for s in samples if s[1] == label]
        rng.shuffle(members)
        n_test = round(len(members) * args.test_fraction)
        test += members[:n_test]
        train += members[n_test:]
    rng.shuffle(train)
    rng.shuffle(test)

    features = len(samples[0][0])
    mean = [sum(s[0][j] for s in train) / len(train) for j in range(features)]
    std = [math.sqrt(sum((s[0][j] - mean[j]) ** 2 for s in train) / len(train))
           for j in range(features)]

    os.makedirs(args.out_dir, exist_ok=True)
    for name, part in (("train", train), ("test", test)):
        with open(os.path.join(args.out_dir, name + ".csv"), "w") as f:
            f.write(",".join(["f%d" % j for j in range(features)] + ["label"]) + "\n")
            for x, label in part:
                z = [(v - m) / s for v, m, s in zip(x, mean, std)]
                f.write(",".join("%.9g" % v for v in z) + ",%d\n" % label)


if __name__ == "__main__":
    main()
