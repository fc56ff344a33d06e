#!/usr/bin/env python3
"""Passages of Jane Austen's six novels as token ids, for "which novel is this
passage from?", with the standard library only.

The text: Debian's r-cran-janeaustenr (1.0.0-1; Julia Silge's janeaustenr
package from CRAN, MIT licence, the novels from Project Gutenberg), read
straight from the package's lazy-load data base (rdata.py), so R itself is
not needed: `apt-get download r-cran-janeaustenr && dpkg -x *.deb DIR`.

Each novel's lines are joined, split into lower-case words and punctuation,
and cut into sentences; consecutive sentences make a passage of 20 to 60
tokens (a longer sentence is cut at 60). Every fifth stretch of 40
passages (a few pages) of each novel is held out, the rest trains: text the
model never saw from all through each book, not single passages shuffled
between the two (neighbours share names and topics). The vocabulary is the training
passages' most frequent words: id 1 is any other word, id 0 the padding
after a passage's end (what embedding(mask_zero: true) masks).

Writes DIR/train.x.npy (float ids, passages x 60), DIR/train.y.npy (class
indices), DIR/test.x.npy, DIR/test.y.npy and DIR/vocabulary.txt.
    prepare.py PACKAGE_DATA_DIR OUT_DIR [--vocabulary 8000]
"""
import argparse
import collections
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdata  # noqa: E402

NOVELS = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma",
          "northangerabbey", "persuasion"]
LENGTH, SHORTEST = 60, 20
BLOCK = 40  # passages: every fifth stretch of 40 is held out
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[.!?;:,\"]")


def npy(path, shape, values, fmt="<f4"):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        fmt, "".join("%d, " % d for d in shape).rstrip(" ") if len(shape) == 1
        else ", ".join(str(d) for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def passages(lines):
    """Token lists of 20-60 tokens, each whole sentences in order."""
    text = " ".join(lines).lower().replace("_", "")
    tokens = TOKEN.findall(text)
    out, current, sentence = [], [], []
    for t in tokens:
        sentence.append(t)
        if t in ".!?":
            current += sentence
            sentence = []
            if len(current) >= SHORTEST:
                out.append(current[:LENGTH])
                current = []
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--vocabulary", type=int, default=8000)
    args = ap.parse_args()
    books = rdata.datasets(args.data)
    train, test = [], []
    for label, name in enumerate(NOVELS):
        for k, p in enumerate(passages(books[name])):
            held = (k // BLOCK) % 5 == 4
            (test if held else train).append((p, label))
    counts = collections.Counter(t for p, _ in train for t in p)
    words = [w for w, _ in counts.most_common(args.vocabulary - 2)]
    ids = {w: i + 2 for i, w in enumerate(words)}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "vocabulary.txt"), "w") as f:
        f.write("\n".join(["<pad>", "<other>"] + words) + "\n")
    for split, rows in (("train", train), ("test", test)):
        x = []
        for p, _ in rows:
            x += [float(ids.get(t, 1)) for t in p] + [0.0] * (LENGTH - len(p))
        npy(os.path.join(args.out, split + ".x.npy"), [len(rows), LENGTH], x)
        npy(os.path.join(args.out, split + ".y.npy"), [len(rows)],
            [float(label) for _, label in rows])
        per = collections.Counter(label for _, label in rows)
        print("%s: %d passages (%s)" % (split, len(rows), ", ".join(
            "%s %d" % (NOVELS[k], per[k]) for k in range(len(NOVELS)))))


if __name__ == "__main__":
    main()
