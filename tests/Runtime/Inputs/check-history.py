"""Checks a training history CSV: every value finite, loss lower at the end."""
import csv
import math
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "empty history"
for r in rows:
    for k, v in r.items():
        assert math.isfinite(float(v)), (k, v)
first, last = float(rows[0]["loss"]), float(rows[-1]["loss"])
assert last < first, "loss did not fall: %g -> %g" % (first, last)
print("loss %g -> %g over %d epochs" % (first, last, len(rows)))
