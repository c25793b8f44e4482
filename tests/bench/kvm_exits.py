"""KVM's exit counters for the VMs a benchmark starts, from the per-VM debugfs files."""
import os
import subprocess
import threading

KVM_DEBUGFS = "/sys/kernel/debug/kvm"
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
        totals = dict.fromkeys(COUNTERS, 0)
        for d in set(os.listdir(KVM_DEBUGFS)) - self.before:
            for name in COUNTERS:
                try:
                    with open(os.path.join(KVM_DEBUGFS, d, name)) as f:
                        totals[name] += int(f.read())
                except (OSError, ValueError):
                    pass  # a VM that just ended
        return totals

    def sample(self):
        while not self.stop.wait(0.02):
            totals = self.read()
            if totals["exits"] >= self.counts["exits"]:
                self.counts = totals

    def __enter__(self):
        if self.before is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.before is not None:
            self.thread.join()
