#!/usr/bin/env python3
"""The one table `make bench` ends with: each bench adds its headline rows, run prints them.

Each bench calls add(); the rows go to the file CAPSULE_BENCH_SUMMARY names
(tests/bench/run sets it; a bench run alone adds nothing). Then
`summary.py FILE` prints them as one table with capsule/QEMU ratios.
"""
import os
import sys


def add(label, capsule, qemu, fmt=".1f"):
    """One row: LABEL, capsule's and QEMU's values (None: not measured), printed with FMT."""
    path = os.environ.get("CAPSULE_BENCH_SUMMARY")
    if not path:
        return
    cells = [format(v, fmt) if v is not None else "-" for v in (capsule, qemu)]
    ratio = format(capsule / qemu, ".2f") if capsule is not None and qemu else "-"
    with open(path, "a") as f:
        f.write("\t".join([label, *cells, ratio]) + "\n")


def main():
    rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
    print("summary: capsule beside QEMU, one row per headline number (details above):")
    width = max([len(r[0]) for r in rows] + [10])
    print(f"{'':{width}s} {'capsule':>10s} {'qemu':>10s} {'ratio':>6s}")
    for label, c, q, ratio in rows:
        print(f"{label:{width}s} {c:>10s} {q:>10s} {ratio:>6s}")


if __name__ == "__main__":
    main()
