"""Every pass registered in a Passes.td has its own nnc-opt lit test.

For each `Pass<"flag", ...>` in compiler/**/Passes.td, some test under tests/
must have a RUN line invoking nnc-opt with -flag (or --flag). Prints the
passes without one and exits 1; prints the count and exits 0 otherwise.
  check-pass-tests.py SRC_ROOT
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
flags = []
for td in sorted(root.glob("compiler/**/Passes.td")):
    flags += re.findall(r'Pass<"([a-z0-9-]+)"', td.read_text())

run_lines = []
for test in (root / "tests").rglob("*"):
    if test.suffix in (".mlir", ".nn", ".test") and test.is_file():
        for line in test.read_text(errors="replace").splitlines():
            if "RUN:" in line and "nnc-opt" in line:
                run_lines.append(line)

missing = [f for f in flags
           if not any(re.search(r"(^|\s)--?" + re.escape(f) + r"(\s|=|'|$)", l)
                      for l in run_lines)]
for f in missing:
    print(f"pass '{f}' has no nnc-opt lit test")
if missing:
    sys.exit(1)
print(f"{len(flags)} passes, each with an nnc-opt test")
