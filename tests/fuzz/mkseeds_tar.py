#!/usr/bin/env python3
"""Seeds for fuzz_tar_extract: one chunk-size byte, then a tar stream.

Python's tarfile writes them (GNU and pax long names, every kind of member),
plus a few hostile ones by hand. usage: mkseeds_tar.py DIR
"""
import io
import sys
import tarfile

out = sys.argv[1]


def member(t, name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.mtime, ti.linkname = kind, mode, 1000000, link
    ti.uname = ti.gname = ""
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def archive(fmt, members):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for m in members:
            member(t, *m)
    # Without tarfile's padding to 10 KiB: the members, then the two end blocks.
    data = b.getvalue().rstrip(b"\0")
    return data + b"\0" * (-len(data) % 512 + 1024)


tree = [
    ("r/s/", tarfile.DIRTYPE, b"", 0o755),
    ("r/s/file", tarfile.REGTYPE, b"hello\n" * 50, 0o755),
    ("r/s/empty/", tarfile.DIRTYPE, b"", 0o500),
    ("r/s/sym", tarfile.SYMTYPE, b"", 0o777, "file"),
    ("r/s/hard", tarfile.LNKTYPE, b"", 0o644, "r/s/file"),
    ("r/s/" + "n" * 150, tarfile.REGTYPE, b"long", 0o600),
    ("r/s/longlink", tarfile.SYMTYPE, b"", 0o777, "t" * 150),
    ("top/x", tarfile.REGTYPE, b"x", 0o4755),
    ("fifo", tarfile.FIFOTYPE, b"", 0o644),
]
hostile = [
    [("r/s/l", tarfile.SYMTYPE, b"", 0o777, "/tmp"), ("r/s/l/file", tarfile.REGTYPE, b"bad")],
    [("../up", tarfile.REGTYPE, b"bad")],
    [("r/s/h", tarfile.LNKTYPE, b"", 0o644, "../../etc/passwd")],
    [("r/s/d", tarfile.SYMTYPE, b"", 0o777, ".."), ("r/s/d/x", tarfile.REGTYPE, b"bad")],
]
seeds = {
    "gnu": archive(tarfile.GNU_FORMAT, tree),
    "pax": archive(tarfile.PAX_FORMAT, tree),
    "ustar": archive(tarfile.USTAR_FORMAT, tree[:5]),
}
for i, h in enumerate(hostile):
    seeds["hostile%d" % i] = archive(tarfile.GNU_FORMAT, tree[:2] + h)
for name, data in seeds.items():
    for chunk in (0, 5, 200) if not name.startswith("hostile") else (5,):
        with open("%s/%s-%d" % (out, name, chunk), "wb") as f:
            f.write(bytes([chunk]) + data)
