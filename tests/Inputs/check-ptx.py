"""Assembles every kernel module of `nnc --emit=ptx` output with ptxas.

usage: check-ptx.py PTXAS ARCH FILE.ptx

The output holds one PTX module per kernel, each after a line
`// kernel module NAME`. Prints how many there are and pass, and each
failure with ptxas's message; exits 1 on any failure or when there is none.
"""
import re
import subprocess
import sys
import tempfile

ptxas, arch, path = sys.argv[1:4]
text = open(path).read()
parts = re.split(r"^// kernel module (.*)\n", text, flags=re.M)
modules = list(zip(parts[1::2], parts[2::2]))
failed = 0
with tempfile.TemporaryDirectory() as tmp:
    for name, ptx in modules:
        f = f"{tmp}/k.ptx"
        open(f, "w").write(ptx)
        r = subprocess.run([ptxas, f"-arch={arch}", f, "-o", f"{tmp}/k.cubin"],
                           capture_output=True, text=True)
        if r.returncode:
            failed += 1
            print(f"FAIL {name}: {r.stderr.strip()[:400]}")
kernels = sum(ptx.count(".entry ") for _, ptx in modules)
print(f"{len(modules) - failed} of {len(modules)} kernel modules ({kernels} kernels) pass ptxas for {arch}")
sys.exit(1 if failed or not modules else 0)
