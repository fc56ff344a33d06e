"""Writes .nn files nested far past the front end's limits into DIR:
paren, calls, list, neg (10,000 levels), sum (100,000 terms), blocks
(10,000 chained blocks), and ok (200 levels and 1,000 terms, within them).
    deep-nesting.py DIR
"""
import os
import sys

d = sys.argv[1]
n = 10000
files = {
    "paren": "model m(x: f32[1]) -> f32[1] {\n    return %sx%s\n}\n"
             % ("(" * n, ")" * n),
    "calls": "model m(x: f32[1]) -> f32[1] {\n    return %sx%s\n}\n"
             % ("exp(" * n, ")" * n),
    "list": "model m(x: f32[1]) {\n    reshape(%s1%s)\n}\n" % ("[" * n, "]" * n),
    "neg": "model m(x: f32[1]) -> f32[1] {\n    return %sx\n}\n" % ("-" * n),
    "sum": "model m(x: f32[1]) -> f32[1] {\n    return %s\n}\n"
           % " + ".join(["x"] * 100000),
    "blocks": "".join("block b%d(x: tensor) {\n    b%d()\n}\n" % (i, i + 1)
                      for i in range(n))
              + "block b%d(x: tensor) {\n    dense(1)\n}\n" % n
              + "model m(x: f32[1]) {\n    b0()\n}\n",
    "ok": "model m(x: f32[1]) -> f32[1] {\n    return %sx%s + %s\n}\n"
          % ("(" * 200, ")" * 200, " + ".join(["x"] * 1000)),
}
for name, text in files.items():
    with open(os.path.join(d, name + ".nn"), "w") as f:
        f.write(text)
