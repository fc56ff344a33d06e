"""Reads the character vectors of an R package's lazy-load data base
(data/Rdata.rdx + data/Rdata.rdb), with the standard library only.

The .rdx is a gzip-compressed R serialization of a list whose `variables`
entry maps each data set's name to (offset, length) in the .rdb; each .rdb
entry is a 4-byte big-endian size and a zlib stream holding the data set's
own serialization (R's "XDR" format: big-endian ints and doubles, each object
a 32-bit header of type, flags and levels). This reads the object kinds that
character data sets use (character, integer, double and logical vectors,
lists, pairlists of attributes, symbols and references to them); any other
kind stops with an error rather than a guess.
"""

import gzip
import struct
import zlib

NILVALUE, REF, GLOBALENV, EMPTYENV, BASEENV = 254, 255, 253, 242, 241
SYM, LIST, CHAR, LGL, INT, REAL, STR, VEC, ALTREP = 1, 2, 9, 10, 13, 14, 16, 19, 238


class Reader:
    def __init__(self, data):
        self.data, self.at, self.refs = data, 0, []
        if data[:2] != b"X\n":
            raise ValueError("not an R XDR serialization")
        self.at = 2
        version = self.int()
        self.int(), self.int()  # the writer's and the oldest reader's R
        if version == 3:
            n = self.int()  # the native encoding's name
            self.at += n

    def int(self):
        (v,) = struct.unpack_from(">i", self.data, self.at)
        self.at += 4
        return v

    def item(self):
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind in (NILVALUE, GLOBALENV, EMPTYENV, BASEENV):
            return None
        if kind == REF:
            return self.refs[(flags >> 8) - 1]
        if kind == SYM:
            name = self.item()
            self.refs.append(name)
            return name
        if kind == CHAR:
            n = self.int()
            if n == -1:
                return None  # NA
            s = self.data[self.at:self.at + n].decode("utf-8", "replace")
            self.at += n
            return s
        if kind == LIST:  # a pairlist: (tag, value) pairs
            out = []
            while True:
                if has_attr:
                    self.item()
                tag = self.item() if has_tag else None
                out.append((tag, self.item()))
                flags = self.int()
                kind, has_attr = flags & 0xFF, flags & (1 << 9)
                has_tag = flags & (1 << 10)
                if kind == NILVALUE:
                    return out
                if kind != LIST:
                    raise ValueError("pairlist ends in type %d" % kind)
        if kind == ALTREP:  # e.g. compact row names: info, state, attributes
            self.item()
            state = self.item()
            self.item()
            return state
        if kind in (LGL, INT, REAL, STR, VEC):
            n = self.int()
            if kind in (LGL, INT):
                v = list(struct.unpack_from(">%di" % n, self.data, self.at))
                self.at += 4 * n
            elif kind == REAL:
                v = list(struct.unpack_from(">%dd" % n, self.data, self.at))
                self.at += 8 * n
            else:
                v = [self.item() for _ in range(n)]
            attrs = dict(self.item()) if has_attr else {}
            if "names" in attrs and kind == VEC:
                return dict(zip(attrs["names"], v))
            return v
        raise ValueError("R object type %d is not read here" % kind)


def datasets(data_dir):
    """{name: value} of every data set in DATA_DIR/Rdata.rdx/.rdb."""
    with gzip.open(data_dir + "/Rdata.rdx") as f:
        index = Reader(f.read()).item()
    with open(data_dir + "/Rdata.rdb", "rb") as f:
        db = f.read()
    out = {}
    for name, (offset, length) in index["variables"].items():
        chunk = db[int(offset):int(offset) + int(length)]
        (size,) = struct.unpack_from(">I", chunk, 0)
        raw = zlib.decompress(chunk[4:])
        if len(raw) != size:
            raise ValueError("%s: %d bytes, expected %d" % (name, len(raw), size))
        out[name] = Reader(raw).item()
    return out


if __name__ == "__main__":
    import sys
    for name, value in datasets(sys.argv[1]).items():
        print(name, type(value).__name__, len(value) if value else 0)
