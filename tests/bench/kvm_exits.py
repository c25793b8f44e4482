"""KVM's view of the VMs a benchmark starts: exit counters (per-VM debugfs
files) and the moment a VM first entered its guest (tracefs)."""
import os
import subprocess
import threading

KVM_DEBUGFS = "/sys/kernel/debug/kvm"
TRACEFS = "/sys/kernel/tracing"
# The per-VM counters read (KVM sums its vCPUs'): all exits, then by reason.
COUNTERS = ("exits", "io_exits", "mmio_exits", "halt_exits", "irq_window_exits", "irq_exits")


def available():
    if not os.path.isdir(KVM_DEBUGFS):
        subprocess.run(["mount", "-t", "debugfs", "none", "/sys/kernel/debug"],
                       stderr=subprocess.DEVNULL)
    return os.path.isdir(KVM_DEBUGFS)


class ExitCounter:
    """KVM's exit counts for the VMs created while it runs (the emulated host's
    kvm-hold VM, there before, is left out). KVM drops a VM's counters when the
    VM ends, so they are sampled every 20 ms while it runs; the last sample is
    kept. .exits: all of them; .counts: each of COUNTERS."""

    def __init__(self):
        self.before = set(os.listdir(KVM_DEBUGFS)) if available() else None
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    @property
    def exits(self):
        return self.counts["exits"]

    def read(self):
        """Every counter of every new VM, or None when one could not be read (a
        VM that just ended): a partial sample would mix moments."""
        totals = dict.fromkeys(COUNTERS, 0)
        for d in set(os.listdir(KVM_DEBUGFS)) - self.before:
            for name in COUNTERS:
                try:
                    with open(os.path.join(KVM_DEBUGFS, d, name)) as f:
                        totals[name] += int(f.read())
                except (OSError, ValueError):
                    return None
        return totals

    def sample(self):
        while not self.stop.wait(0.02):
            totals = self.read()
            if totals and totals["exits"] >= self.counts["exits"]:
                self.counts = totals

    def __enter__(self):
        if self.before is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.before is not None:
            self.thread.join()


def _trace_write(name, value):
    with open(os.path.join(TRACEFS, name), "w") as f:
        f.write(value)


class FirstEntry:
    """When, on CLOCK_MONOTONIC (Python's time.monotonic()), the first VM started
    while it runs first entered its guest: KVM's kvm_entry event, traced once
    (a traceoff trigger). The emulated host's kvm-hold VM never runs, so it
    cannot be the one. .at: seconds, or None without tracefs."""

    def __init__(self):
        self.at = None
        if not os.path.isdir(os.path.join(TRACEFS, "events")):
            subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], stderr=subprocess.DEVNULL)
        self.ok = os.path.isdir(os.path.join(TRACEFS, "events", "kvm", "kvm_entry"))

    def __enter__(self):
        if self.ok:
            _trace_write("tracing_on", "0")
            _trace_write("trace_clock", "mono")
            _trace_write("trace", "")
            _trace_write("events/kvm/kvm_entry/trigger", "traceoff:1")
            _trace_write("events/kvm/kvm_entry/enable", "1")
            _trace_write("tracing_on", "1")
        return self

    def __exit__(self, *exc):
        if not self.ok:
            return
        _trace_write("events/kvm/kvm_entry/enable", "0")
        _trace_write("events/kvm/kvm_entry/trigger", "!traceoff:1")
        with open(os.path.join(TRACEFS, "trace")) as f:
            for line in f:
                # "  vcpu0-123  [000] d..1.  4567.891011: kvm_entry: vcpu 0, rip 0xfff0"
                if not line.startswith("#") and "kvm_entry" in line:
                    self.at = float(line.split("kvm_entry")[0].split()[-1].rstrip(":"))
                    break
        _trace_write("tracing_on", "1")
