"""Prints a safetensors file's tensors (name, dtype, shape, data hash) in
name order, without its metadata: two weight files of different models
compare equal when their tensors are.
    safetensors-tensors.py FILE
"""
import hashlib
import json
import struct
import sys

data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
body = data[8 + n:]
for name in sorted(k for k in header if k != "__metadata__"):
    info = header[name]
    b, e = info["data_offsets"]
    print(name, info["dtype"], info["shape"], hashlib.sha256(body[b:e]).hexdigest())
