#!/usr/bin/env python3
"""`capsule run --image IMG -- true`, start to exit, beside QEMU microvm booting the
same kernel, initrd and image the same way (init mounts IMG as the root and runs
`true` in it; the guest's writes go to a throwaway overlay in both: capsule's
own, QEMU's snapshot=on).

IMG is out/images/debian-bookworm.qcow2 when `make images` has built it, else
the test image (out/images/test.qcow2), or CAPSULE_BENCH_IMAGE.
usage: image.py CAPSULE KERNEL INITRD [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time

import summary
from microvm import local_binary, qemu_argv

MEMORY_MIB = 256
TIMEOUT = 300


def image_path(capsule):
    if os.environ.get("CAPSULE_BENCH_IMAGE"):
        return os.environ["CAPSULE_BENCH_IMAGE"]
    images = os.path.join(os.path.dirname(os.path.abspath(capsule)), "images")
    for name in ("debian-bookworm.qcow2", "test.qcow2"):
        if os.path.exists(os.path.join(images, name)):
            return os.path.join(images, name)
    sys.exit(f"image.py: no image in {images} (make images, or the test image)")


def timed(argv, ok_status):
    """Seconds from launching ARGV to its exit, which must be OK_STATUS."""
    start = time.monotonic()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=TIMEOUT)
    took = time.monotonic() - start
    if proc.returncode != ok_status:
        raise RuntimeError(f"{argv[0]} ended with {proc.returncode}: {proc.stderr[-500:]!r}")
    return took


def qemu_image_argv(kernel, initrd, image):
    # "true" hex-encoded, as init reads a command from another VMM's command line.
    cmdline = ("console=ttyS0 capsule.tty=1 reboot=k panic=-1 no_timer_check tsc=reliable "
               "pci=off quiet loglevel=1 capsule.root=/dev/vda capsule.argv=74727565")
    fmt = "qcow2" if open(image, "rb").read(4) == b"QFI\xfb" else "raw"
    return qemu_argv(kernel, initrd, cmdline,
                     ["-drive", f"file={image},format={fmt},if=none,id=root,snapshot=on",
                      "-device", "virtio-blk-device,drive=root"], memory_mib=MEMORY_MIB)


def main():
    capsule, kernel, initrd = local_binary(sys.argv[1]), sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    image = image_path(sys.argv[1])
    conf = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"capsule-image-bench-{os.getpid()}.conf")
    with open(conf, "w") as f:
        f.write(f"[vm]\nmemory = {MEMORY_MIB}M\n")
    results = {"capsule": [], "qemu microvm": []}
    try:
        for _ in range(runs):
            # isa-debug-exit turns the guest's 0 into (0 << 1) | 1.
            results["capsule"].append(timed([capsule, "run", "-c", conf, "--image", image, "--", "true"], 0))
            results["qemu microvm"].append(timed(qemu_image_argv(kernel, initrd, image), 1))
    finally:
        os.unlink(conf)
    report(image, runs, results)


def report(image, runs, results):
    print(f"image: `run --image {os.path.basename(image)} -- true`, launch to exit, {runs} runs")
    print(f"{'':14s} {'min ms':>8s} {'median ms':>10s}")
    for name, samples in results.items():
        ms = [s * 1000 for s in samples]
        print(f"{name:14s} {min(ms):8.0f} {statistics.median(ms):10.0f}")
    c = [s * 1000 for s in results["capsule"]]
    q = [s * 1000 for s in results["qemu microvm"]]
    print(f"ratio capsule/qemu: min {min(c) / min(q):.2f}, median {statistics.median(c) / statistics.median(q):.2f}")
    summary.add("run --image -- true ms, median", statistics.median(c), statistics.median(q), ".0f")


if __name__ == "__main__":
    main()
