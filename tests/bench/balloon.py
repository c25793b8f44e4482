#!/usr/bin/env python3
"""The balloon: time from "balloon 128M" to the guest's actual size reaching it, and the RSS
the host gets back; capsule (control socket) beside QEMU microvm (virtio-balloon-device,
QMP), same kernel and initrd.

Both guests (256 MiB) fill a tmpfs with 200 MiB, remove it and wait: the VMM holds that
memory. Then one client, connected before the clock starts, asks for 128 MiB and polls
every 10 ms until the guest reports it got there. Both balloons run as QEMU's does by
default: no free page reporting (it would hand the freed memory back before the command),
no deflate-on-OOM, no statistics. RSS is VmRSS from /proc, 1 s after the target.
usage: balloon.py CAPSULE KERNEL INITRD [RUNS]
"""
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import summary
from microvm import local_binary, qemu_argv, workload_cmdline

MEMORY_MIB = 256
TARGET = 128 << 20
TIMEOUT = 240
POLL = 0.01
GUEST = ("mkdir -p /mnt && mount -t tmpfs -o size=400M big /mnt && "
         "dd if=/dev/zero of=/mnt/f bs=1M count=200 2>/dev/null && rm /mnt/f && "
         "echo freed && sleep 600")


def wait_for_output(proc, needle):
    """Read PROC's stdout until NEEDLE shows up."""
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    fd = proc.stdout.fileno()
    while needle not in seen:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]}: no '{needle.decode()}': {seen[-300:]!r}")
        if select.select([fd], [], [], 1)[0]:
            seen += os.read(fd, 4096)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Lines:
    """A line-based client of a Unix socket: one JSON object per line."""

    def __init__(self, path):
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.buf = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("the VMM closed its socket")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


class Capsule:
    """capsule's control protocol: a request line, an answer line."""

    def __init__(self, path):
        self.c = Lines(path)

    def balloon(self, size):
        self.c.send(f"balloon {size}")
        a = self.c.read()
        assert a["ok"], a

    def actual(self):
        self.c.send("info balloon")
        return self.c.read()["actual"]


class Qmp:
    """QEMU's monitor: a command, then its return (events in between are skipped)."""

    def __init__(self, path):
        self.c = Lines(path)
        self.c.read()  # the greeting
        self.run("qmp_capabilities")

    def run(self, cmd, **args):
        self.c.send(json.dumps({"execute": cmd, "arguments": args} if args else {"execute": cmd}))
        while True:
            a = self.c.read()
            if "return" in a:
                return a["return"]
            if "error" in a:
                raise RuntimeError(f"qmp {cmd}: {a['error']}")

    def balloon(self, size):
        self.run("balloon", value=size)

    def actual(self):
        return self.run("query-balloon")["actual"]


def measure(proc, client):
    """Seconds from the command to actual == TARGET, and KiB of RSS given back."""
    wait_for_output(proc, b"freed")
    time.sleep(1)
    before = rss_kib(proc.pid)
    start = time.monotonic()
    client.balloon(TARGET)
    while client.actual() != TARGET:
        if time.monotonic() - start > TIMEOUT:
            raise RuntimeError("the balloon never reached its target")
        time.sleep(POLL)
    took = time.monotonic() - start
    time.sleep(1)
    return took, before - rss_kib(proc.pid), before


def run_capsule(capsule, tmp):
    conf, sock = os.path.join(tmp, "balloon.conf"), os.path.join(tmp, "ctl.sock")
    with open(conf, "w") as f:
        f.write(f"[vm]\nname = bench-balloon\nmemory = {MEMORY_MIB}M\n[control]\nsocket = {sock}\n"
                "[balloon]\nfree_page_reporting = false\ndeflate_on_oom = false\n"
                "stats_interval = 0\n")
    proc = subprocess.Popen([capsule, "run", "-c", conf, "--", "sh", "-c", GUEST],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        return measure(proc, Capsule(sock))
    finally:
        proc.kill()
        proc.wait()


def run_qemu(kernel, initrd, tmp):
    qmp = os.path.join(tmp, "qmp.sock")
    devices = ["-device", "virtio-balloon-device", "-qmp", f"unix:{qmp},server=on,wait=off"]
    proc = subprocess.Popen(qemu_argv(kernel, initrd, workload_cmdline(GUEST), devices,
                                      memory_mib=MEMORY_MIB),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        return measure(proc, Qmp(qmp))
    finally:
        proc.kill()
        proc.wait()


def main():
    capsule, kernel, initrd = local_binary(sys.argv[1]), sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    res = {"capsule": [], "qemu": []}
    with tempfile.TemporaryDirectory(dir="/run" if os.access("/run", os.W_OK) else None) as tmp:
        for i in range(runs):
            # Interleaved, so drift in the emulated host hits both alike.
            for vmm in ("capsule", "qemu"):
                took, freed, before = (run_capsule(capsule, tmp) if vmm == "capsule"
                                       else run_qemu(kernel, initrd, tmp))
                res[vmm].append((took * 1000, freed / 1024))
                print(f"  run {i + 1} {vmm:8s} balloon 128M in {took * 1000:7.1f} ms, RSS "
                      f"{before / 1024:6.1f} -> {(before - freed) / 1024:6.1f} MiB", file=sys.stderr)
    print(f"balloon: {MEMORY_MIB} MiB guest that freed 200 MiB, 'balloon 128M', median of {runs} "
          "(nested KVM):")
    print(f"{'':10s} {'to target ms':>13s} {'RSS back MiB':>13s}")
    med = {v: (statistics.median(t for t, _ in r), statistics.median(m for _, m in r))
           for v, r in res.items()}
    for vmm in ("capsule", "qemu"):
        print(f"{vmm:10s} {med[vmm][0]:13.1f} {med[vmm][1]:13.1f}")
    (ct, cm), (qt, qm) = med["capsule"], med["qemu"]
    print(f"{'ratio c/q':10s} {ct / qt:13.2f} {cm / qm:13.2f}")
    summary.add("balloon: to 128M ms, median", ct, qt)
    summary.add("balloon: RSS back MiB, median", cm, qm)


if __name__ == "__main__":
    main()
