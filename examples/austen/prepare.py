#!/usr/bin/env python3
"""Jane Austen's six novels as token ids for two classification tasks, with
the standard library only.

The text: Debian's r-cran-janeaustenr (1.0.0-1; Julia Silge's janeaustenr
package from CRAN, MIT licence, the novels from Project Gutenberg), read
straight from the package's lazy-load data base (rdata.py), so R itself is
not needed: `apt-get download r-cran-janeaustenr && dpkg -x *.deb DIR`.

Each novel's lines are joined, split into lower-case words and punctuation,
and cut into sentences at . ! ? (not at the period of mr. mrs. dr. st.).

--task novel: "which novel is this passage from?" Consecutive sentences make
a passage of 20 to 60 tokens (a longer sentence is cut at 60); six classes.

--task mood: "is this sentence a statement, a question or an exclamation?"
Sentences of 4 to 40 tokens with their final mark (and the quotation marks
around them) removed, so that the answer must come from the words and their
order ("was he" against "he was"); the larger classes are subsampled (seed 0)
to the smallest, in training and in held-out text alike; three classes
(0 statement, 1 question, 2 exclamation).

Every fifth stretch of 40 examples (a few pages) of each novel is held out,
the rest trains: text the model never saw from all through each book, not
single examples shuffled between the two (neighbours share names and
topics). The vocabulary is the training text's most frequent words: id 1 is
any other word, id 0 the padding after the end (what
embedding(mask_zero: true) masks).

Writes DIR/train.x.npy (float ids, examples x length), DIR/train.y.npy
(class indices), DIR/test.x.npy, DIR/test.y.npy and DIR/vocabulary.txt.
    prepare.py PACKAGE_DATA_DIR OUT_DIR [--task novel|mood] [--vocabulary N]
"""
import argparse
import collections
import os
import random
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdata  # noqa: E402

NOVELS = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma",
          "northangerabbey", "persuasion"]
# task: (longest, shortest example in tokens, default vocabulary)
TASKS = {"novel": (60, 20, 8000), "mood": (40, 4, 2000)}
MOODS = ".?!"  # statement, question, exclamation: the class indices
ABBREVIATIONS = {"mr", "mrs", "dr", "st", "messrs"}
BLOCK = 40  # examples: every fifth stretch of 40 is held out
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


def sentences(lines):
    """Token lists, each a sentence ending with its mark."""
    text = " ".join(lines).lower().replace("_", "")
    out, sentence = [], []
    for t in TOKEN.findall(text):
        if t == "." and sentence and sentence[-1] in ABBREVIATIONS:
            continue
        sentence.append(t)
        if t in MOODS:
            out.append(sentence)
            sentence = []
    return out


def passages(lines, longest, shortest):
    """(tokens, None): whole sentences in order, shortest to longest
    tokens (a longer sentence cut)."""
    out, current = [], []
    for sentence in sentences(lines):
        current += sentence
        if len(current) >= shortest:
            out.append((current[:longest], None))
            current = []
    return out


def moods(lines, longest, shortest):
    """(tokens, mood): each sentence without its final mark and the
    quotation marks around it, with the mark's class."""
    out = []
    for sentence in sentences(lines):
        body = sentence[:-1]
        while body and body[-1] == '"':
            body.pop()
        while body and body[0] == '"':
            body.pop(0)
        if shortest <= len(body) <= longest:
            out.append((body, MOODS.index(sentence[-1])))
    return out


def balanced(rows, rng):
    """Each class subsampled to the smallest one's count, shuffled."""
    by = collections.defaultdict(list)
    for r in rows:
        by[r[1]].append(r)
    n = min(len(v) for v in by.values())
    out = [r for k in sorted(by) for r in rng.sample(by[k], n)]
    rng.shuffle(out)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--task", choices=sorted(TASKS), default="novel")
    ap.add_argument("--vocabulary", type=int)
    args = ap.parse_args()
    longest, shortest, vocabulary = TASKS[args.task]
    vocabulary = args.vocabulary or vocabulary
    books = rdata.datasets(args.data)
    train, test = [], []
    for label, name in enumerate(NOVELS):
        make = passages if args.task == "novel" else moods
        for k, (p, mood) in enumerate(make(books[name], longest, shortest)):
            held = (k // BLOCK) % 5 == 4
            (test if held else train).append(
                (p, label if args.task == "novel" else mood))
    classes = NOVELS if args.task == "novel" else ["statement", "question",
                                                   "exclamation"]
    if args.task == "mood":
        rng = random.Random(0)
        train, test = balanced(train, rng), balanced(test, rng)
    counts = collections.Counter(t for p, _ in train for t in p)
    words = [w for w, _ in counts.most_common(vocabulary - 2)]
    ids = {w: i + 2 for i, w in enumerate(words)}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "vocabulary.txt"), "w") as f:
        f.write("\n".join(["<pad>", "<other>"] + words) + "\n")
    for split, rows in (("train", train), ("test", test)):
        x = []
        for p, _ in rows:
            x += [float(ids.get(t, 1)) for t in p] + [0.0] * (longest - len(p))
        npy(os.path.join(args.out, split + ".x.npy"), [len(rows), longest], x)
        npy(os.path.join(args.out, split + ".y.npy"), [len(rows)],
            [float(label) for _, label in rows])
        per = collections.Counter(label for _, label in rows)
        print("%s: %d %s (%s)" % (
            split, len(rows), "passages" if args.task == "novel"
            else "sentences", ", ".join(
                "%s %d" % (classes[k], per[k]) for k in range(len(classes)))))


if __name__ == "__main__":
    main()
