#!/usr/bin/env python3
"""Writes a newc cpio archive holding /dev/console and /init: the test initramfs."""
import argparse
import sys


def entry(ino, name, mode, data=b"", rdev=(0, 0)):
    """One newc record: header, NUL-terminated name and data, each padded to 4 bytes."""
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    out = b"070701" + b"".join(b"%08x" % f for f in fields) + name_bytes
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("init", help="static executable to install as /init")
    ap.add_argument("output")
    args = ap.parse_args()
    with open(args.init, "rb") as f:
        init = f.read()
    # /dev/console must exist for the kernel to give init a stdout.
    archive = (entry(1, "dev", 0o040755) +
               entry(2, "dev/console", 0o020600, rdev=(5, 1)) +
               entry(3, "init", 0o100755, init) +
               entry(0, "TRAILER!!!", 0))
    with open(args.output, "wb") as f:
        f.write(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
