#!/usr/bin/env python3
"""virtio-blk throughput: capsule beside QEMU microvm (virtio-blk-device), same raw image.

Runs on a host with /dev/kvm (tests/bench/run puts it in the emulated host).
The guest runs busybox dd with O_DIRECT, 1 MiB blocks, reading and then
writing the whole image, timed by the guest's /proc/uptime (10 ms steps).
usage: disk.py CAPSULE KERNEL INITRD [RUNS]
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile

SIZE_MIB = 128
WORKLOAD = ("up() { cut -d' ' -f1 /proc/uptime; }; a=$(up); "
            f"dd if=/dev/vda of=/dev/null bs=1M count={SIZE_MIB} iflag=direct 2>/dev/null; b=$(up); "
            f"dd if=/dev/zero of=/dev/vda bs=1M count={SIZE_MIB} oflag=direct conv=fsync 2>/dev/null; "
            "c=$(up); echo \"times $a $b $c\"")
TIMES = re.compile(rb"times ([\d.]+) ([\d.]+) ([\d.]+)")


def hexarg(s):
    return s.encode().hex()


def rates(output):
    m = TIMES.search(output)
    if not m:
        raise RuntimeError(f"no timings in: {output[-400:]!r}")
    a, b, c = (float(x) for x in m.groups())
    return [SIZE_MIB / max(b - a, 0.01), SIZE_MIB / max(c - b, 0.01)]


def run_capsule(capsule, image, tmp):
    conf = os.path.join(tmp, "disk.conf")
    with open(conf, "w") as f:
        f.write(f"[disk bench]\npath = {image}\n")
    out = subprocess.run([capsule, "run", "-c", conf, "--", "sh", "-c", WORKLOAD],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    return rates(out.stdout + out.stderr)


def run_qemu(kernel, initrd, image):
    argv = ",".join(hexarg(a) for a in ("sh", "-c", WORKLOAD))
    cmdline = ("console=ttyS0 capsule.tty=1 reboot=k panic=-1 no_timer_check tsc=reliable "
               f"pci=off quiet loglevel=1 capsule.argv={argv}")
    out = subprocess.run(
        ["qemu-system-x86_64", "-M", "microvm,acpi=off", "-enable-kvm", "-cpu", "host",
         "-m", "256", "-smp", "1", "-nodefaults", "-no-user-config", "-nographic",
         "-no-reboot", "-serial", "stdio", "-kernel", kernel, "-initrd", initrd,
         "-append", cmdline, "-drive", f"id=d,file={image},format=raw,if=none",
         "-device", "virtio-blk-device,drive=d",
         "-device", "isa-debug-exit,iobase=0x501,iosize=1"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    return rates(out.stdout)


def main():
    capsule, kernel, initrd = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    results = {"capsule": [], "qemu microvm": []}
    # tmpfs: the image's host side costs the same for both, and little.
    with tempfile.TemporaryDirectory(dir="/run" if os.access("/run", os.W_OK) else None) as tmp:
        image = os.path.join(tmp, "bench.img")
        with open(image, "wb") as f:
            f.truncate(SIZE_MIB << 20)
        for i in range(runs):
            for name, fn in (("capsule", lambda: run_capsule(capsule, image, tmp)),
                             ("qemu microvm", lambda: run_qemu(kernel, initrd, image))):
                r = fn()
                results[name].append(r)
                print(f"  run {i + 1} {name:13s} read {r[0]:8.1f} MB/s  write {r[1]:8.1f} MB/s",
                      file=sys.stderr)
    print(f"virtio-blk, {SIZE_MIB} MiB raw image on tmpfs, dd 1 MiB O_DIRECT, best of {runs}:")
    print(f"{'':14s} {'read MB/s':>10s} {'write MB/s':>11s}")
    best = {n: (max(r[0] for r in v), max(r[1] for r in v)) for n, v in results.items()}
    for name, (rd, wr) in best.items():
        print(f"{name:14s} {rd:10.1f} {wr:11.1f}")
    c, q = best["capsule"], best["qemu microvm"]
    print(f"{'ratio c/q':14s} {c[0] / q[0]:10.2f} {c[1] / q[1]:11.2f}")


if __name__ == "__main__":
    main()
