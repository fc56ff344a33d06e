"""Seed corpora for the fuzz targets, from the repository's own files plus a
few small files written here in each format (NumPy .npy and .npz, IDX
plain and gzip-compressed, CIFAR-10 records, safetensors, an nnc checkpoint,
manifests).
    make-seeds.py REPO_ROOT OUT_DIR
"""
import glob
import importlib.util
import json
import os
import shutil
import struct
import sys
import gzip
import io
import zipfile

root, out = sys.argv[1], sys.argv[2]


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def copy(target, pattern):
    for i, p in enumerate(sorted(glob.glob(os.path.join(root, pattern),
                                           recursive=True))):
        if os.path.getsize(p) <= 64 * 1024:
            d = os.path.join(out, target)
            os.makedirs(d, exist_ok=True)
            shutil.copy(p, os.path.join(d, "%03d-%s" % (i, os.path.basename(p))))


def npy(shape, values, descr="<f4"):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    fmt = "<%d%s" % (len(values), "f" if descr == "<f4" else "d")
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
            header.encode() + struct.pack(fmt, *values))


def safetensors(tensors, metadata):
    header, data = {"__metadata__": metadata}, b""
    for name, shape, values in tensors:
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


copy("frontend", "tests/**/*.nn")
copy("frontend", "examples/**/*.nn")
copy("csv", "examples/**/*.csv")
copy("csv", "tests/**/*.csv")
put("csv", "header.csv", "a,b,c\n1,2,3\n4.5,-6e3,7\n")
put("npy", "f4.npy", npy([2, 3], [1, 2, 3, 4, 5, 6]))
put("npy", "f8.npy", npy([4], [0.5, -1, 2, 3], "<f8"))
put("npy", "scalar.npy", npy([], [7]))


def idx(code, dims, data):
    return bytes([0, 0, code, len(dims)]) + b"".join(
        struct.pack(">I", d) for d in dims) + data


put("idx", "images-idx3-ubyte", idx(0x08, [2, 2, 3], bytes(range(0, 240, 20))))
put("idx", "labels-idx1-ubyte", idx(0x08, [3], bytes([0, 9, 3])))
put("idx", "f4.idx", idx(0x0D, [2], struct.pack(">ff", 1.5, -2)))
put("idx", "f8.idx", idx(0x0E, [1, 1], struct.pack(">d", 3.25)))
put("idx", "i16.idx", idx(0x0B, [2], struct.pack(">hh", -7, 300)))
put("idx", "images.gz", gzip.compress(idx(0x08, [1, 2, 2], bytes([1, 2, 3, 4])),
                                      mtime=0))
def npz(arrays, method):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in arrays:
            z.writestr(name + ".npy", data)
    return buf.getvalue()


pair = [("x", npy([2, 2], [1, 2, 3, 4])), ("y", npy([2], [0, 1]))]
put("npz", "stored.npz", npz(pair, zipfile.ZIP_STORED))
put("npz", "deflated.npz", npz(pair, zipfile.ZIP_DEFLATED))
put("npz", "one.npz", npz([("x", npy([3], [1, 2, 3], "<f8"))], zipfile.ZIP_DEFLATED))
# Object arrays of sequences (Keras' imdb.npz), pickled as NumPy 2 and the
# Python 2 era NumPy pickle them (tests/Inputs/imdb-npz.py).
_spec = importlib.util.spec_from_file_location(
    "imdb_npz", os.path.join(root, "tests/Inputs/imdb-npz.py"))
imdb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(imdb)
for protocol, core in ((4, "numpy._core"), (2, "numpy.core")):
    rows = [[1, 2, 3], [4, 70000], [], [5]]
    put("npy", "objects-p%d.npy" % protocol,
        imdb.object_npy(rows, protocol, core))
    put("npz", "imdb-p%d.npz" % protocol,
        npz([("x", imdb.object_npy(rows, protocol, core)),
             ("y", imdb.labels_npy([0, 1, 1, 0]))], zipfile.ZIP_DEFLATED))
put("cifar", "two.bin", bytes([3]) + bytes(range(256)) * 12 +
    bytes([9]) + bytes(3072))
put("safetensors", "weights.safetensors",
    safetensors([("dense.kernel", [2, 2], [1, 2, 3, 4]),
                 ("dense.bias", [2], [0, 0])], {"format": "pt"}))
history = {"loss": [0.5], "accuracy": [0.5], "val_loss": [0.6],
           "val_accuracy": [0.4]}
put("checkpoint", "epoch1.ckpt",
    safetensors([("w", [3], [1, 1, 1]), ("optimizer/w/momentum", [3], [0, 0, 0])],
                {"format": "nnc-checkpoint", "model": "m", "epoch": "1",
                 "step": "3", "seed": "1", "history": json.dumps(history)}))
manifest = {"models": [{"name": "m",
    "params": [{"name": "w", "shape": [3], "init": "ones"}],
    "layers": [{"name": "d", "type": "Dense", "shape": [-1, 3], "params": 3}],
    "train": {"loss": "mse", "optimizer": "sgd", "batch_size": 2, "epochs": 3,
              "validation_split": 0.25, "optimizer_config": {"learning_rate": 0.1}},
    "entries": [
        {"kind": "infer", "symbol": "s", "buffers": [
            {"role": "input", "name": "x", "shape": [-1, 3], "dtype": "f32"},
            {"role": "param", "name": "w", "shape": [3], "dtype": "f32"},
            {"role": "output", "name": "output_0", "shape": [-1, 3], "dtype": "f32"}]},
        {"kind": "train", "symbol": "s", "buffers": [
            {"role": "input", "name": "x", "shape": [-1, 3]},
            {"role": "target", "name": "y_true", "shape": [-1, 3]},
            {"role": "param", "name": "w", "shape": [3]},
            {"role": "state", "name": "w/momentum", "shape": [3]},
            {"role": "hyper", "name": "learning_rate", "shape": []},
            {"role": "hyper", "name": "step", "shape": []},
            {"role": "output", "name": "loss", "shape": []}]},
        {"kind": "eval", "symbol": "s", "buffers": [
            {"role": "input", "name": "x", "shape": [-1, 3]},
            {"role": "target", "name": "y_true", "shape": [-1, 3]},
            {"role": "param", "name": "w", "shape": [3]},
            {"role": "output", "name": "loss", "shape": []}]},
        {"kind": "def", "name": "g", "symbol": "s", "buffers": [
            {"role": "input", "name": "x", "shape": [-1, 3]},
            {"role": "param", "name": "w", "shape": [3]},
            {"role": "output", "name": "output_0", "shape": [-1, 3]}]}]}]}
put("manifest", "train.json", json.dumps(manifest))
del manifest["models"][0]["train"]
put("manifest", "infer.json", json.dumps(manifest))
