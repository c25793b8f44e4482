#!/usr/bin/env python3
"""virtio-blk on raw and qcow2 images: capsule beside QEMU microvm (virtio-blk-device).

Runs on a host with /dev/kvm (tests/bench/run puts it in the emulated host).
Each VMM gets a fresh copy of the same image per run, on tmpfs. In the guest:
busybox dd with O_DIRECT and 1 MiB blocks for sequential I/O (timed by
/proc/uptime) and randio (initrd/tools) for 4 KiB random I/O.
usage: disk.py CAPSULE KERNEL INITRD [RUNS]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import summary
from microvm import local_binary, qemu_argv, workload_cmdline

SIZE_MIB = 128
RANDOM_OPS = 2000
UP = "up() { cut -d' ' -f1 /proc/uptime; }; "
SEQ_READ = (UP + f"a=$(up); dd if=/dev/vda of=/dev/null bs=1M count={SIZE_MIB} iflag=direct "
            "2>/dev/null; b=$(up); echo \"seqread $a $b\"; ")
SEQ_WRITE = (UP + f"a=$(up); dd if=/dev/zero of=/dev/vda bs=1M count={SIZE_MIB} oflag=direct "
             "conv=fsync 2>/dev/null; b=$(up); echo \"seqwrite $a $b\"; ")
RAND_READ = f"randio read /dev/vda {RANDOM_OPS}; "
RAND_WRITE = f"randio write /dev/vda {RANDOM_OPS}; "
# (row label, image kind, guest script, how to read the result)
CASES = [
    ("raw: sequential read MB/s", "raw", SEQ_READ, "seqread"),
    ("raw: sequential write MB/s", "raw", SEQ_WRITE, "seqwrite"),
    ("raw: 4K random read IOPS", "raw", RAND_READ, "read"),
    ("qcow2: sequential read MB/s", "qcow2", SEQ_READ, "seqread"),
    ("qcow2 compressed: seq read MB/s", "qcow2c", SEQ_READ, "seqread"),
    ("qcow2: 4K random write IOPS", "qcow2", RAND_WRITE, "write"),
]
FORMATS = {"raw": "raw", "qcow2": "qcow2", "qcow2c": "qcow2"}


def result(output, key):
    if key.startswith("seq"):
        m = re.search(rf"{key} ([\d.]+) ([\d.]+)".encode(), output)
        if m:
            return SIZE_MIB / max(float(m.group(2)) - float(m.group(1)), 0.01)
    else:
        m = re.search(rf"randio {key} \d+ ops [\d.]+ s (\d+) iops".encode(), output)
        if m:
            return float(m.group(1))
    raise RuntimeError(f"no {key} result in: {output[-400:]!r}")


def make_images(tmp):
    """The three source images, holding the same compressible data."""
    raw = os.path.join(tmp, "src.raw")
    with open(raw, "wb") as f:
        block = b"capsule benchmark data\n" * (1 << 16)
        for _ in range((SIZE_MIB << 20) // len(block)):
            f.write(block)
        f.truncate(SIZE_MIB << 20)
    images = {"raw": raw}
    for kind, extra in (("qcow2", []), ("qcow2c", ["-c"])):
        images[kind] = os.path.join(tmp, f"src.{kind}")
        subprocess.run(["qemu-img", "convert", *extra, "-O", "qcow2", raw, images[kind]], check=True)
    return images


def run_capsule(capsule, image, fmt, script, tmp):
    conf = os.path.join(tmp, "disk.conf")
    with open(conf, "w") as f:
        f.write(f"[disk bench]\npath = {image}\nformat = {fmt}\n")
    out = subprocess.run([capsule, "run", "-c", conf, "--", "sh", "-c", script],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    return out.stdout + out.stderr


def run_qemu(kernel, initrd, image, fmt, script):
    devices = ["-drive", f"id=d,file={image},format={fmt},if=none",
               "-device", "virtio-blk-device,drive=d"]
    out = subprocess.run(qemu_argv(kernel, initrd, workload_cmdline(script), devices),
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    return out.stdout


def main():
    capsule, kernel, initrd = local_binary(sys.argv[1]), sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    best = {}
    with tempfile.TemporaryDirectory(dir="/run" if os.access("/run", os.W_OK) else None) as tmp:
        images = make_images(tmp)
        work = os.path.join(tmp, "work")
        for label, kind, script, key in CASES:
            for i in range(runs):
                for vmm in ("capsule", "qemu"):
                    shutil.copyfile(images[kind], work)
                    fmt = FORMATS[kind]
                    out = (run_capsule(capsule, work, fmt, script, tmp) if vmm == "capsule"
                           else run_qemu(kernel, initrd, work, fmt, script))
                    v = result(out, key)
                    print(f"  {label:34s} run {i + 1} {vmm:8s} {v:9.1f}", file=sys.stderr)
                    best[(label, vmm)] = max(best.get((label, vmm), 0), v)
    print(f"virtio-blk, {SIZE_MIB} MiB images on tmpfs, best of {runs} (nested KVM):")
    print(f"{'':34s} {'capsule':>9s} {'qemu':>9s} {'ratio':>6s}")
    for label, *_ in CASES:
        c, q = best[(label, "capsule")], best[(label, "qemu")]
        print(f"{label:34s} {c:9.1f} {q:9.1f} {c / q:6.2f}")
        summary.add("virtio-blk " + label, c, q)


if __name__ == "__main__":
    main()
