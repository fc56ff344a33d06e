"""Checks a predict output: ROWS rows of COLS probabilities that each sum
to 1 (softmax output). Usage: check-probabilities.py FILE ROWS COLS"""
import sys

path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = [l for l in open(path).read().splitlines() if l.strip()]
assert len(lines) == rows, "expected %d rows, got %d" % (rows, len(lines))
for line in lines:
    p = [float(v) for v in line.split(",")]
    assert len(p) == cols, line
    assert all(0.0 <= v <= 1.0 for v in p), line
    assert abs(sum(p) - 1.0) < 1e-5, line
print("ok")
