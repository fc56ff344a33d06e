"""Writes files in the format of Keras' imdb.npz, with the standard library
only: an .npz whose x_train and x_test are NumPy arrays of dtype object,
each element a list of word ids (one review), pickled as np.save pickles
them, and whose y_train and y_test are int64 labels.

The pickles come from Python's own pickle module, given stand-ins for
numpy's _reconstruct, ndarray and dtype registered under NumPy's module
names, so the bytes are what NumPy writes (protocol 4 and numpy._core, as
NumPy 2 does; protocol 2 and numpy.core, as the Python 2 era NumPy that wrote
Keras' file did).

    imdb-npz.py OUT.npz [--protocol 2|4] [--rows N] [--longest L] [--vocabulary V]
    imdb-npz.py OUT.npy --rows-given 1,2,3 4,5 - 'word ...
        (one object array of these rows: "-" empty, 'word a string)
"""
import argparse
import io
import pickle
import random
import struct
import sys
import types
import zipfile


def stand_ins(core):
    """Classes and a function that pickle under NumPy's names."""
    numpy = types.ModuleType("numpy")
    multiarray = types.ModuleType(core + ".multiarray")

    def _reconstruct(*args):
        raise RuntimeError("never called")
    _reconstruct.__module__ = multiarray.__name__
    _reconstruct.__qualname__ = "_reconstruct"

    class ndarray:
        pass

    class dtype:
        def __init__(self, state):
            self.state = state

        def __reduce__(self):
            return (dtype, ("O8", False, True), self.state)

    class ObjectArray:
        def __init__(self, rows):
            self.rows = rows

        def __reduce__(self):
            state = (1, (len(self.rows),),
                     dtype((3, "|", None, None, None, -1, -1, 63)),
                     False, self.rows)
            return (_reconstruct, (ndarray, (0,), b"b"), state)

    for cls in (ndarray, dtype):
        cls.__module__ = "numpy"
        cls.__qualname__ = cls.__name__
        setattr(numpy, cls.__name__, cls)
    multiarray._reconstruct = _reconstruct
    sys.modules["numpy"] = numpy
    sys.modules[multiarray.__name__] = multiarray
    return ObjectArray


def npy(header_fields, payload):
    header = "{%s}" % header_fields
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
            header.encode() + payload)


def object_npy(rows, protocol, core):
    ObjectArray = stand_ins(core)
    body = pickle.dumps(ObjectArray(rows), protocol=protocol)
    return npy("'descr': '|O', 'fortran_order': False, 'shape': (%d,), "
               % len(rows), body)


def labels_npy(labels):
    return npy("'descr': '<i8', 'fortran_order': False, 'shape': (%d,), "
               % len(labels), struct.pack("<%dq" % len(labels), *labels))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--protocol", type=int, default=4)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--longest", type=int, default=30)
    ap.add_argument("--vocabulary", type=int, default=50)
    ap.add_argument("--rows-given", nargs="*")
    args = ap.parse_args()
    core = "numpy._core" if args.protocol >= 4 else "numpy.core"
    if args.rows_given is not None:
        # "-" is an empty row, "'word" a string element (not a number).
        rows = [r[1:] if r.startswith("'") else
                [int(v) for v in r.split(",")] if r != "-" else []
                for r in args.rows_given]
        with open(args.out, "wb") as f:
            f.write(object_npy(rows, args.protocol, core))
        return
    rng = random.Random(3)
    with zipfile.ZipFile(args.out, "w") as z:
        for split in ("train", "test"):
            rows = [[rng.randrange(1, args.vocabulary)
                     for _ in range(rng.randint(1, args.longest))]
                    for _ in range(args.rows)]
            # The label: whether word 1 occurs (a pattern a model can learn).
            z.writestr("x_%s.npy" % split,
                       object_npy(rows, args.protocol, core))
            z.writestr("y_%s.npy" % split,
                       labels_npy([int(1 in r) for r in rows]))


if __name__ == "__main__":
    main()
