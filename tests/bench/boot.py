#!/usr/bin/env python3
"""Boot-to-init time and peak RSS: capsule beside QEMU microvm, same kernel and initrd.

Runs on a host with /dev/kvm (tests/bench/run puts it in the emulated host).
Both VMMs boot the same guest, whose init marks its start with a write to
port 0x502 and then runs `true` and reports on port 0x501; the time from
launching the VMM to that mark is measured the same way for both (the moment
this script sees it), and peak RSS comes from wait4(). VM exits per boot (to
the guest's end) come from KVM's per-VM debugfs counters, capsule's also by
reason; the time from launch to the first KVM_RUN that entered the guest
from KVM's kvm_entry trace event, and capsule's own start-to-vCPUs time from
its --boot-time report. VMM overhead: the VMM's resident memory when init
starts, less guest RAM (the mapping holding it), as /proc/PID/smaps has it.
usage: boot.py CAPSULE KERNEL INITRD [RUNS]
"""
import os
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time

from kvm_exits import COUNTERS, ExitCounter, FirstEntry
import summary
from microvm import local_binary, marked_boot_argv
from vmm_memory import overhead_kib

# capsule.tty=1: the workload uses the console (QEMU has no virtio-console here).
CMDLINE = ("console=ttyS0 capsule.tty=1 reboot=k panic=-1 no_timer_check tsc=reliable pci=off "
           "quiet loglevel=1 capsule.argv=74727565")  # "true", hex-encoded as capsule does
MEMORY_MIB = 256
TIMEOUT = 240


def wait_for(fd, proc, needle):
    """Read FD until NEEDLE shows up; returns the moment it did."""
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None and not select.select([fd], [], [], 0)[0]:
            raise RuntimeError(f"no boot mark from {proc.args[0]}: {seen[-300:]!r}")
        if select.select([fd], [], [], min(left, 1))[0]:
            chunk = os.read(fd, 4096)
            if not chunk and proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} ended before its boot mark")
            seen += chunk
    return time.monotonic(), seen


def finish(proc):
    """Wait for PROC; returns (exit status, peak RSS in KiB)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


# capsule's own start-to-vCPUs times (its --boot-time report), by configuration.
own_start = {"capsule": [], "capsule, no sandbox": []}

# capsule's boot as shipped, milestone by milestone (parse_report()), one dict per run.
milestones = []

# Resident KiB that are not guest RAM, by VMM, sampled when init starts.
overhead = {"capsule": [], "qemu microvm": [], "capsule, no sandbox": []}


def sample_overhead(name, pid):
    """PID's VMM overhead now; skipped when the VMM has already gone."""
    kib = overhead_kib(pid, MEMORY_MIB)
    if kib is not None:
        overhead[name].append(kib)


# The sandbox off, for its cost: no seccomp filters, no jail.
UNSANDBOXED = "[vm]\nseccomp = off\n[jail]\nenabled = false\n"


def parse_report(seen, launched):
    """capsule's --boot-time report as milliseconds since LAUNCHED (time.monotonic(),
    the same CLOCK_MONOTONIC capsule reads): exec (its main() starts), vcpus (its
    threads run), kernel (the firmware enters the kernel), init; and steps, the
    milliseconds of each start-up step."""
    text = seen.decode(errors="replace")

    def num(key):
        return float(re.search(key + r" ([\d.]+)", text).group(1))

    exec_ms = num("started-at-ms") - launched * 1000
    steps = re.search(r"steps-ms(.*)", text).group(1).split()
    return {"exec": exec_ms, "vcpus": exec_ms + num("start-to-vcpus-ms"),
            "kernel": exec_ms + num("kernel-entry-ms"), "init": exec_ms + num("boot-time-ms"),
            "steps": {k: float(v) for k, v in zip(steps[::2], steps[1::2])}}


def run_capsule(capsule, conf=None):
    """One boot; (seconds to init, peak RSS KiB, status, ms capsule spent entering its
    sandbox, launch time, its --boot-time report)."""
    start = time.monotonic()
    proc = subprocess.Popen([capsule, "run", "--boot-time"] + (["-c", conf] if conf else []) +
                            ["--", "true"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    marked, seen = wait_for(proc.stderr.fileno(), proc, b"boot-time-ms")
    sample_overhead("capsule" if conf is None else "capsule, no sandbox", proc.pid)
    status, rss = finish(proc)
    report = parse_report(seen, start)
    own_start["capsule" if conf is None else "capsule, no sandbox"].append(
        report["vcpus"] - report["exec"])
    return marked - start, rss, status, report["steps"]["sandbox"], start, report


def run_qemu(kernel, initrd):
    # A FIFO needs a local filesystem (the emulated host shares /tmp over 9p).
    with tempfile.TemporaryDirectory(dir="/run" if os.access("/run", os.W_OK) else None) as tmp:
        fifo = os.path.join(tmp, "mark")
        os.mkfifo(fifo)
        cmd = marked_boot_argv(kernel, initrd, CMDLINE, MEMORY_MIB, fifo)
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        fd = os.open(fifo, os.O_RDONLY)
        try:
            marked, _ = wait_for(fd, proc, b"\x01")
            sample_overhead("qemu microvm", proc.pid)
        finally:
            os.close(fd)
        status, rss = finish(proc)
        # isa-debug-exit turns the guest's 0 into (0 << 1) | 1.
        return marked - start, rss, 0 if status == 1 else status, None, start, None


def boot_summary(name, samples):
    boots = [s[0] * 1000 for s in samples]
    rss = [s[1] / 1024 for s in samples]
    return name, min(boots), statistics.median(boots), max(rss)


def main():
    capsule, kernel, initrd = local_binary(sys.argv[1]), sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    results = {"capsule": [], "qemu microvm": [], "capsule, no sandbox": []}
    sandbox_ms = {"capsule": [], "capsule, no sandbox": []}
    counts = {name: [] for name in results}
    first_run = {name: [] for name in results}
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
        conf.write(UNSANDBOXED)
        conf.flush()
        for i in range(runs):
            # Interleaved, so drift in the emulated host hits all alike.
            for name, fn in (("capsule", lambda: run_capsule(capsule)),
                             ("qemu microvm", lambda: run_qemu(kernel, initrd)),
                             ("capsule, no sandbox", lambda: run_capsule(capsule, conf.name))):
                with ExitCounter() as exits, FirstEntry() as entry:
                    boot, rss, status, sandbox, launched, boot_report = fn()
                if status != 0:
                    sys.exit(f"{name} run {i + 1}: guest status {status}")
                results[name].append((boot, rss))
                counts[name].append(exits.counts)
                if entry.at is not None:
                    first_run[name].append(entry.at - launched)
                if name == "capsule" and boot_report:
                    boot_report["entry"] = None if entry.at is None else (entry.at - launched) * 1000
                    milestones.append(boot_report)
                if sandbox is not None:
                    sandbox_ms[name].append(sandbox)
                print(f"  run {i + 1} {name:19s} boot {boot * 1000:8.1f} ms  "
                      f"peak RSS {rss / 1024:6.1f} MiB  exits {exits.exits}", file=sys.stderr)
    report(runs, [boot_summary(n, results[n]) for n in ("capsule", "qemu microvm")],
           boot_summary("no sandbox", results["capsule, no sandbox"]), sandbox_ms)
    report_exits(counts["capsule"], counts["qemu microvm"])
    report_first_run(first_run)
    report_breakdown(first_run["qemu microvm"], [s[0] for s in results["qemu microvm"]])
    report_overhead()


def report(runs, rows, unsandboxed, sandbox_ms):
    """capsule as shipped beside QEMU, with ratios; then what the sandbox costs."""
    print(f"boot to init, {runs} runs each, {MEMORY_MIB} MiB guest, 1 vCPU (nested KVM):")
    print(f"{'':14s} {'min ms':>9s} {'median ms':>10s} {'peak RSS MiB':>13s}")
    for name, lo, med, rss in rows:
        print(f"{name:14s} {lo:9.1f} {med:10.1f} {rss:13.1f}")
    (_, c_lo, c_med, c_rss), (_, q_lo, q_med, q_rss) = rows
    print(f"{'ratio c/q':14s} {c_lo / q_lo:9.2f} {c_med / q_med:10.2f} {c_rss / q_rss:13.2f}")
    summary.add("boot to init ms, min", c_lo, q_lo)
    summary.add("boot to init ms, median", c_med, q_med)
    summary.add("peak RSS MiB", c_rss, q_rss)
    print(f"sandbox: capsule's own time entering it {statistics.median(sandbox_ms['capsule']):.2f} ms "
          f"median ({statistics.median(sandbox_ms['capsule, no sandbox']):.2f} ms with it off); "
          f"boot to init {c_lo:.1f} ms min with it, {unsandboxed[1]:.1f} without")


# How the reasons read in the table; what none of them counts is "other".
REASONS = {"io_exits": "port I/O", "mmio_exits": "MMIO", "halt_exits": "HLT",
           "irq_window_exits": "interrupt window", "irq_exits": "host interrupt"}


def report_exits(capsule, qemu):
    """Median exits per boot beside QEMU's, and capsule's by reason."""
    if not capsule or not capsule[0]["exits"]:
        print("VM exits per boot: no KVM debugfs counters here")
        return
    med = {name: statistics.median(c[name] for c in capsule) for name in COUNTERS}
    q = statistics.median(c["exits"] for c in qemu)
    print(f"VM exits per boot (median): capsule {med['exits']:.0f}, qemu microvm {q:.0f}, "
          f"ratio {med['exits'] / q if q else float('nan'):.2f}")
    summary.add("VM exits per boot, median", med["exits"], q, ".0f")
    other = med["exits"] - sum(med[n] for n in REASONS)
    print("  capsule by reason: " + ", ".join(f"{label} {med[n]:.0f}" for n, label in REASONS.items()) +
          f", other {max(other, 0):.0f}")


def report_first_run(first_run):
    """Launch to the first KVM_RUN that entered the guest, beside QEMU's; capsule's own share."""
    c, q = first_run["capsule"], first_run["qemu microvm"]
    if not c or not q:
        print("launch to first KVM_RUN: no tracefs here")
        return
    c_ms, q_ms = statistics.median(c) * 1000, statistics.median(q) * 1000
    summary.add("launch to first KVM_RUN ms, median", c_ms, q_ms)
    summary.add("own start-up to vCPUs ms, median", statistics.median(own_start["capsule"]), None)
    print(f"launch to first KVM_RUN (median): capsule {c_ms:.1f} ms, qemu microvm {q_ms:.1f} ms, "
          f"ratio {c_ms / q_ms:.2f}; capsule's own start to vCPUs "
          f"{statistics.median(own_start['capsule']):.2f} ms "
          f"({statistics.median(own_start['capsule, no sandbox']):.2f} ms without the sandbox)")


def report_breakdown(qemu_entries, qemu_boots):
    """Where capsule's boot goes, milestone by milestone (medians, ms since launch),
    its own start-up step by step, and QEMU's two milestones beside it."""
    if not milestones:
        return
    med = {k: statistics.median(m[k] for m in milestones) for k in ("exec", "vcpus", "kernel", "init")}
    entries = [m["entry"] for m in milestones if m["entry"] is not None]
    entry = f"{statistics.median(entries):.1f}" if entries else "-"
    print(f"capsule's boot, ms since launch (median): main() {med['exec']:.1f}, vCPU threads "
          f"{med['vcpus']:.1f}, first guest entry {entry}, kernel entry {med['kernel']:.1f}, "
          f"init {med['init']:.1f}")
    steps = milestones[0]["steps"]
    print("  capsule's own start-up, ms (median): " + ", ".join(
        f"{k} {statistics.median(m['steps'][k] for m in milestones):.2f}" for k in steps))
    print(f"  kernel entry to init {med['init'] - med['kernel']:.1f} ms; firmware (first entry to "
          f"kernel entry) {med['kernel'] - statistics.median(entries) if entries else float('nan'):.1f} ms")
    if qemu_entries:
        print(f"qemu microvm's boot, ms since launch (median): first KVM_RUN "
              f"{statistics.median(qemu_entries) * 1000:.1f}, init "
              f"{statistics.median(qemu_boots) * 1000:.1f}")


def report_overhead():
    """Median VMM overhead (resident, not guest RAM) beside QEMU's."""
    c, q = overhead["capsule"], overhead["qemu microvm"]
    if not c or not q:
        print("VMM overhead: the VMMs ended before it could be read")
        return
    c_mib, q_mib = statistics.median(c) / 1024, statistics.median(q) / 1024
    summary.add("VMM overhead at init MiB, median", c_mib, q_mib)
    print(f"VMM overhead at init, resident less guest RAM (median): capsule {c_mib:.1f} MiB, "
          f"qemu microvm {q_mib:.1f} MiB, ratio {c_mib / q_mib:.2f}")


if __name__ == "__main__":
    main()
