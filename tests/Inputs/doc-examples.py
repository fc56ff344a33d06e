"""Compiles every ```nn block of a Markdown file with nnc.

Usage: doc-examples.py NNC FILE.md

Each block must compile to verified nn IR (exit 0, a func.func in the
output). Prints one line per block and a summary for FileCheck; exits 1 if
any block fails.
"""
import re
import subprocess
import sys

nnc, doc = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
blocks = re.findall(r"^```nn\n(.*?)^```", text, flags=re.S | re.M)
failed = 0
for i, block in enumerate(blocks, 1):
    proc = subprocess.run([nnc, "-", "--emit=nn", "--no-locations"], input=block,
                          capture_output=True, text=True)
    ok = proc.returncode == 0 and "func.func" in proc.stdout
    failed += not ok
    print("example %d: %s" % (i, "ok" if ok else "FAILED"))
    if not ok:
        print(block)
        print(proc.stderr)
print("examples: %d, failed: %d" % (len(blocks), failed))
sys.exit(1 if failed else 0)
