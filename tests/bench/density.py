#!/usr/bin/env python3
"""Density: N VMs of 64 MiB started at once, each running `true`; capsule beside QEMU microvm.

Runs on a host with /dev/kvm (tests/bench/run puts it in the emulated host).
All N start together; the time is from the first launch until the last has
exited, reported as VMs per second. Each VM's overhead (resident memory less
its guest RAM, vmm_memory.py) is sampled when its init starts and summed over
the N (a VM that is gone by then, `true` being quick, counts as the mean of
the others). Same kernel and initrd for both; QEMU's guests mark init on a debug
port, capsule's through its --boot-time report.
usage: density.py CAPSULE KERNEL INITRD [RUNS]
  CAPSULE_BENCH_DENSITY_N  VMs at once (8)
"""
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

import summary
from boot import CMDLINE
from microvm import local_binary, marked_boot_argv
from vmm_memory import overhead_kib

N = int(os.environ.get("CAPSULE_BENCH_DENSITY_N", "8"))
MEMORY_MIB = 64
TIMEOUT = 600


class Vm:
    """One launched VMM: its process and the fd on which its init mark shows."""

    def __init__(self, proc, fd, mark, owned=False):
        self.proc, self.fd, self.mark, self.owned = proc, fd, mark, owned
        self.seen, self.overhead = b"", None


def launch_capsule(capsule, tmp, i):
    # A name each: every VM has its own control socket.
    conf = os.path.join(tmp, f"vm{i}.conf")
    with open(conf, "w") as f:
        f.write(f"[vm]\nname = density-{i}\nmemory = {MEMORY_MIB}M\n")
    proc = subprocess.Popen([capsule, "run", "-c", conf, "--boot-time", "--", "true"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    return Vm(proc, proc.stderr.fileno(), b"boot-time-ms")


def launch_qemu(kernel, initrd, tmp, i):
    fifo = os.path.join(tmp, f"mark{i}")
    os.mkfifo(fifo)
    proc = subprocess.Popen(marked_boot_argv(kernel, initrd, CMDLINE, MEMORY_MIB, fifo), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    # Opening the FIFO waits for QEMU to open its end: it does so before the guest runs.
    return Vm(proc, os.open(fifo, os.O_RDONLY), b"\x01", owned=True)


def run_batch(launch):
    """N VMs at once: (seconds until all exited, summed overhead KiB, failures)."""
    with tempfile.TemporaryDirectory(dir="/run" if os.access("/run", os.W_OK) else None) as tmp:
        start = time.monotonic()
        vms = [launch(tmp, i) for i in range(N)]
        waiting = {vm.fd: vm for vm in vms}
        deadline = start + TIMEOUT
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(list(waiting), [], [], 1)
            for fd in ready:
                vm = waiting[fd]
                chunk = os.read(fd, 4096)
                vm.seen += chunk
                if vm.mark in vm.seen:
                    vm.overhead = overhead_kib(vm.proc.pid, MEMORY_MIB)
                if vm.mark in vm.seen or not chunk:
                    del waiting[fd]
        failed = 0
        for vm in vms:
            try:
                status = vm.proc.wait(timeout=max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                vm.proc.kill()
                status = vm.proc.wait()
            # QEMU's isa-debug-exit turns init's 0 into 1.
            if status not in (0, 1) or vm.mark not in vm.seen:
                failed += 1
                print(f"  {vm.proc.args[0]}: status {status}, init mark "
                      f"{'seen' if vm.mark in vm.seen else 'missing'}", file=sys.stderr)
        elapsed = time.monotonic() - start
        for vm in vms:
            if vm.owned:
                os.close(vm.fd)
            elif vm.proc.stderr:
                vm.proc.stderr.close()
        sampled = [vm.overhead for vm in vms if vm.overhead is not None]
        return elapsed, statistics.mean(sampled) * N if sampled else 0, failed


def main():
    capsule, kernel, initrd = local_binary(sys.argv[1]), sys.argv[2], sys.argv[3]
    runs = min(int(sys.argv[4]) if len(sys.argv) > 4 else 3, 3)
    results = {"capsule": [], "qemu microvm": []}
    launchers = {"capsule": lambda tmp, i: launch_capsule(capsule, tmp, i),
                 "qemu microvm": lambda tmp, i: launch_qemu(kernel, initrd, tmp, i)}
    for r in range(runs):
        for name, launch in launchers.items():
            elapsed, overhead, failed = run_batch(launch)
            print(f"  run {r + 1} {name:13s} {N} VMs in {elapsed * 1000:8.1f} ms, "
                  f"summed overhead {overhead / 1024:6.1f} MiB, {failed} failed", file=sys.stderr)
            if failed:
                sys.exit(f"{name}: {failed} of {N} VMs failed")
            results[name].append((elapsed, overhead))
    report(runs, results)


def report(runs, results):
    print(f"density: {N} VMs of {MEMORY_MIB} MiB started at once, each running `true`, "
          f"best of {runs} (nested KVM):")
    print(f"{'':14s} {'all done ms':>12s} {'VMs/s':>7s} {'summed overhead MiB':>20s}")
    rows = {}
    for name, samples in results.items():
        best = min(s[0] for s in samples)
        over = statistics.median(s[1] for s in samples) / 1024
        rows[name] = (best, N / best, over)
        print(f"{name:14s} {best * 1000:12.1f} {N / best:7.2f} {over:20.1f}")
    c, q = rows["capsule"], rows["qemu microvm"]
    print(f"{'ratio c/q':14s} {c[0] / q[0]:12.2f} {c[1] / q[1]:7.2f} {c[2] / q[2]:20.2f}")
    summary.add(f"density, {N} VMs: VMs per second", c[1], q[1], ".2f")
    summary.add(f"density, {N} VMs: summed VMM overhead MiB", c[2], q[2])


if __name__ == "__main__":
    main()
