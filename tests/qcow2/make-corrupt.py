#!/usr/bin/env python3
"""Writes the corpus of corrupt qcow2 images in tests/qcow2/corrupt/ (and valid seeds for the fuzzer).

Each image is a small valid one (built here, from qcow2.txt) with one thing
wrong; test_qcow2_corrupt expects every one to be refused at open with a
one-line message. Run it again after changing it: the files are committed.
usage: tests/qcow2/make-corrupt.py [OUTDIR]
"""
import os
import struct
import sys

COPIED = 1 << 63


class Image:
    """A qcow2 image: header, refcount table and block, L1, one L2 table, one data cluster."""

    def __init__(self, cluster_bits=9, version=3):
        self.cb = cluster_bits
        self.cs = 1 << cluster_bits
        self.version = version
        self.size = 1 << 20
        per_l1 = self.cs * (self.cs // 8)
        self.l1_size = -(-self.size // per_l1)
        # Clusters: 0 header, 1 refcount table, 2 refcount block, 3 L1, 4 L2, 5 data.
        self.l1_offset = 3 * self.cs
        self.reftable_offset = self.cs
        self.reftable_clusters = 1
        self.refcount_order = 4
        self.header_length = 104 if version >= 3 else 72
        self.incompatible = 0
        self.crypt = 0
        self.nb_snapshots = 0
        self.snapshots_offset = 0
        self.l1 = [4 * self.cs | COPIED] + [0] * (self.l1_size - 1)
        self.l2 = [5 * self.cs | COPIED]
        self.reftable = [2 * self.cs]
        self.extensions = []  # (type, bytes)
        self.backing = b""
        self.backing_offset = None  # default: after the extensions
        self.backing_len = None
        self.compression_type = None
        self.extra = {}  # offset -> bytes, patched in last

    def header(self):
        h = struct.pack(">4sIQIIQIIQQIIQ", b"QFI\xfb", self.version, 0, 0, self.cb, self.size,
                        self.crypt, self.l1_size, self.l1_offset, self.reftable_offset,
                        self.reftable_clusters, self.nb_snapshots, self.snapshots_offset)
        if self.version >= 3:
            h += struct.pack(">QQQII", self.incompatible, 0, 0, self.refcount_order,
                             self.header_length)
        if self.compression_type is not None:
            h += bytes([self.compression_type]) + bytes(7)
        h += bytes(max(0, self.header_length - len(h)))
        for t, data in self.extensions:
            h += struct.pack(">II", t, len(data)) + data + bytes(-len(data) % 8)
        h += bytes(8)
        off = len(h) if self.backing_offset is None else self.backing_offset
        if self.backing:
            blen = len(self.backing) if self.backing_len is None else self.backing_len
            h = h[:8] + struct.pack(">QI", off, blen) + h[20:]
            h += bytes(max(0, off - len(h)))
            h = h[:off] + self.backing + h[off + len(self.backing):]
        return h

    def bytes(self):
        out = bytearray(6 * self.cs)
        h = self.header()
        out[:len(h)] = h[:len(out)]
        for i, e in enumerate(self.reftable):
            struct.pack_into(">Q", out, self.cs + 8 * i, e)
        for c in range(6):
            struct.pack_into(">H", out, 2 * self.cs + 2 * c, 1)
        for i, e in enumerate(self.l1):
            if 3 * self.cs + 8 * i + 8 <= len(out):
                struct.pack_into(">Q", out, 3 * self.cs + 8 * i, e)
        for i, e in enumerate(self.l2):
            struct.pack_into(">Q", out, 4 * self.cs + 8 * i, e)
        out[5 * self.cs:6 * self.cs] = b"A" * self.cs
        for off, data in self.extra.items():
            out[off:off + len(data)] = data
        return bytes(out)


def feature_names(entries):
    data = b""
    for kind, bit, name in entries:
        data += bytes([kind, bit]) + name.encode().ljust(46, b"\0")
    return (0x6803f857, data)


def corrupt():
    """name -> image bytes, each with one thing wrong."""
    c = {}

    def img(name, **kw):
        i = Image(cluster_bits=kw.pop("cluster_bits", 9), version=kw.pop("version", 3))
        for k, v in kw.items():
            setattr(i, k, v)
        c[name] = i
        return i

    c["empty.qcow2"] = b""
    c["truncated-header.qcow2"] = Image().bytes()[:50]
    c["truncated-v3-header.qcow2"] = Image().bytes()[:90]
    c["bad-magic.qcow2"] = b"QFI\xfa" + Image().bytes()[4:]
    img("version-1.qcow2", version=1)
    img("version-4.qcow2", version=4)
    img("cluster-bits-8.qcow2").cb = 8
    c["cluster-bits-22.qcow2"] = Image().bytes()[:20] + struct.pack(">I", 22) + Image().bytes()[24:]
    img("header-length-100.qcow2", header_length=100)
    img("header-length-huge.qcow2", header_length=1 << 20)
    img("refcount-order-7.qcow2", refcount_order=7)
    img("size-absurd.qcow2", size=1 << 62)
    img("l1-too-small.qcow2", size=64 << 20)
    img("l1-size-huge.qcow2", l1_size=0x10000000)
    img("l1-misaligned.qcow2", l1_offset=3 * 512 + 8)
    img("l1-beyond-eof.qcow2", l1_offset=1000 * 512)
    img("l1-at-header.qcow2", l1_offset=0)
    img("reftable-misaligned.qcow2", reftable_offset=512 + 64)
    img("reftable-beyond-eof.qcow2", reftable_offset=1 << 40)
    img("reftable-no-clusters.qcow2", reftable_clusters=0)
    img("reftable-huge.qcow2", reftable_clusters=100000)
    img("l2-beyond-eof.qcow2").l1[0] = (1 << 30) | COPIED
    img("l2-misaligned.qcow2", cluster_bits=12).l1[0] = 4 * 4096 + 512 | COPIED
    img("l1-reserved-bits.qcow2").l1[0] |= 1 << 60
    img("refblock-beyond-eof.qcow2").reftable[0] = 1 << 30
    img("refblock-misaligned.qcow2", cluster_bits=12).reftable[0] = 2 * 4096 + 512
    img("refblock-reserved-bits.qcow2").reftable[0] = 2 * 512 + 1
    img("incompat-data-file.qcow2", incompatible=1 << 2)
    img("incompat-zstd.qcow2", incompatible=1 << 3, header_length=112, compression_type=1)
    img("incompat-extended-l2.qcow2", incompatible=1 << 4)
    i = img("incompat-named.qcow2", incompatible=1 << 9)
    i.extensions = [feature_names([(0, 9, "frobnication"), (1, 0, "lazy refcounts")])]
    img("incompat-bit-63.qcow2", incompatible=1 << 63)
    img("encrypted.qcow2", crypt=1)
    img("compression-type-without-bit.qcow2", header_length=112, compression_type=1)
    img("extension-overrun.qcow2").extensions = [(0x12345678, b"x" * 40)]
    c["extension-overrun.qcow2"].extra = {104 + 4: struct.pack(">I", 100000)}
    img("backing-name-too-long.qcow2", backing=b"x" * 300, backing_len=2000)
    img("backing-name-outside.qcow2", backing=b"base.raw", backing_offset=5000)
    img("backing-name-nul.qcow2", backing=b"ba\0se.raw")
    img("backing-name-newline.qcow2", backing=b"missing\n\x1b[2Jname")  # found by the fuzzer
    img("backing-loop-self.qcow2", backing=b"backing-loop-self.qcow2")
    img("backing-loop-a.qcow2", backing=b"backing-loop-b.qcow2")
    img("backing-loop-b.qcow2", backing=b"backing-loop-a.qcow2")
    img("backing-missing.qcow2", backing=b"does-not-exist.qcow2")
    img("backing-is-directory.qcow2", backing=b".")
    i = img("backing-format-vmdk.qcow2", backing=b"backing-loop-a.qcow2")
    i.extensions = [(0xe2792aca, b"vmdk")]
    img("backing-corrupt.qcow2", backing=b"l1-misaligned.qcow2")
    img("snapshot-table-outside.qcow2", nb_snapshots=1, snapshots_offset=1 << 30)
    return c


def seeds():
    """Valid images for the fuzzer to start from."""
    s = {}
    s["seed-v3.qcow2"] = Image().bytes()
    s["seed-v2.qcow2"] = Image(version=2).bytes()
    s["seed-4k.qcow2"] = Image(cluster_bits=12).bytes()
    # The fuzzer keeps a raw file called backing.raw beside the image.
    i = Image()
    i.extensions = [feature_names([(0, 0, "dirty bit")]), (0xe2792aca, b"raw")]
    i.backing = b"backing.raw"
    i.l2 = [0, 5 * 512 | COPIED]
    s["seed-backing.qcow2"] = i.bytes()
    i = Image(version=2)
    i.backing = b"backing.raw"
    s["seed-backing-probed.qcow2"] = i.bytes()
    i = Image()
    i.l2 = [5 * 512 | 1 << 62, 1, 0]  # compressed (garbage), zero, unallocated
    s["seed-compressed.qcow2"] = i.bytes()
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corrupt")
    os.makedirs(outdir, exist_ok=True)
    for name, data in sorted(corrupt().items()):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.bytes())
    seeddir = os.path.join(here, "..", "fuzz", "corpus")
    os.makedirs(seeddir, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(seeddir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
