"""Runs `nnc` on every prefix of each file and checks the outcome.

Usage: truncate-check.py NNC FILE...

A prefix must compile (exit 0) or be rejected with a diagnostic (exit 1,
stderr starting `<stdin>:LINE:COL: error:`). Anything else is reported and
makes the script exit 1. Prints a summary line for FileCheck.
"""
import re
import subprocess
import sys

nnc, files = sys.argv[1], sys.argv[2:]
checked = bad = 0
diag = re.compile(r"^<stdin>:\d+:\d+: error: ")
for path in files:
    text = open(path, encoding="utf-8").read()
    # Step through the file; every cut point up to 240 characters, then
    # every fifth one, keeps the run short on a 2-core machine.
    cuts = list(range(0, min(len(text), 240))) + list(range(240, len(text), 5))
    for cut in cuts:
        proc = subprocess.run([nnc, "-", "--emit=nn", "--no-locations"], input=text[:cut],
                              capture_output=True, text=True)
        checked += 1
        ok = proc.returncode == 0 or (
            proc.returncode == 1 and diag.match(proc.stderr)
            and "failed to legalize" not in proc.stderr
            and "internal error" not in proc.stderr)
        if not ok:
            bad += 1
            if bad <= 5:
                print("BAD: %s cut at %d: exit %d\n%s" %
                      (path, cut, proc.returncode, proc.stderr[:500]))
print("prefixes checked: %d, crashes: %d" % (checked, bad))
sys.exit(1 if bad else 0)
