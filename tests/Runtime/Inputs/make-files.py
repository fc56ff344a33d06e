"""Writes the binary inputs of the runtime tests (numbers chosen by hand):
a valid .npy, a truncated .npy, safetensors files with a wrong shape, a
wrong name and a corrupt header. Usage: make-files.py OUTDIR"""
import json
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def npy(path, rows, cols, values, cut=0):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    data = struct.pack("<%df" % len(values), *values)
    blob = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data
    with open(path, "wb") as f:
        f.write(blob[: len(blob) - cut])


def safetensors(path, tensors, corrupt=False):
    header, data = {}, b""
    for name, shape in tensors:
        n = 1
        for d in shape:
            n *= d
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [len(data), len(data) + 4 * n]}
        data += struct.pack("<%df" % n, *([0.5] * n))
    text = json.dumps(header).encode()
    if corrupt:
        text = text[:-5]
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


rows = [5.1, 3.5, 1.4, 0.2, 6.3, 3.3, 6.0, 2.5, 5.8, 2.7, 4.1, 1.0]
npy(os.path.join(out, "three-rows.npy"), 3, 4, rows)
npy(os.path.join(out, "truncated.npy"), 3, 4, rows, cut=6)
iris = [("dense.kernel", [4, 8]), ("dense.bias", [8]),
        ("dense_1.kernel", [8, 3]), ("dense_1.bias", [3])]
safetensors(os.path.join(out, "wrong-shape.safetensors"),
            [("dense.kernel", [4, 9])] + iris[1:])
safetensors(os.path.join(out, "wrong-name.safetensors"),
            iris[:3] + [("output.bias", [3])])
safetensors(os.path.join(out, "missing.safetensors"), iris[:3])
safetensors(os.path.join(out, "corrupt.safetensors"), iris, corrupt=True)
