#!/usr/bin/env python3
"""NIC TCP throughput and VM exits: capsule beside QEMU, for virtio-net, e1000 and rtl8139.

virtio-net runs in QEMU's microvm (virtio-net-device), the legacy NICs in its pc
machine (PCI, `-device e1000|rtl8139`); always a tap without vhost. Both
rtl8139s are RTL8139C+ chips, driven by the guest's 8139cp.

Runs on a host with /dev/kvm, as root (tests/bench/run puts it in the emulated
host). The test bed is tests/acceptance/netbed.sh's: bridge capbr0 and the
namespace capns at 198.18.0.1. Each VM joins the bridge through a tap (capsule
makes its own; QEMU gets a persistent one made here) and, in one boot, sends
MiB megabytes of zeros to a sink in the namespace with busybox nc (timed by the
sink, from accept to end of input), then receives as many from a source there
(timed in the guest by /proc/uptime). Then the same with two queue pairs and
two vCPUs, then e1000 and rtl8139 (fewer megabytes: full emulation is slow).
VM exits per MiB moved come from KVM's per-VM debugfs counters, sampled while
the VM runs, less those of a boot of the same VM that moves nothing. Frames
capsule's virtio-net dropped (its exit report) are summed over the runs: a full
tap must only delay frames, so anything but 0 is a defect.
usage: net.py CAPSULE KERNEL INITRD [RUNS]
  CAPSULE_BENCH_NET_MIB         megabytes each way, virtio-net (32)
  CAPSULE_BENCH_NET_LEGACY_MIB  megabytes each way, e1000 and rtl8139 (4)
  CAPSULE_BENCH_NET_VMMS        which to run ("capsule qemu")
  CAPSULE_BENCH_NET_MODELS      which NICs ("virtio e1000 rtl8139")
  CAPSULE_BENCH_NET_QUEUES      which virtio-net queue counts ("1 2")
"""
import os
import re
import subprocess
import sys
import tempfile

import summary
from peer import peer_result, rates, start_peer
from kvm_exits import ExitCounter
from microvm import local_binary, qemu_argv, workload_cmdline

HERE = os.path.dirname(os.path.abspath(__file__))
NETBED = os.path.join(HERE, "..", "acceptance", "netbed.sh")
MIB = int(os.environ.get("CAPSULE_BENCH_NET_MIB", "32"))
LEGACY_MIB = int(os.environ.get("CAPSULE_BENCH_NET_LEGACY_MIB", "4"))
NS_ADDR = "198.18.0.1"
UP_PORT, DOWN_PORT = 5001, 5002
VMMS = os.environ.get("CAPSULE_BENCH_NET_VMMS", "capsule qemu").split()
MODELS = os.environ.get("CAPSULE_BENCH_NET_MODELS", "virtio e1000 rtl8139").split()
QUEUES = [int(q) for q in os.environ.get("CAPSULE_BENCH_NET_QUEUES", "1 2").split()]
QEMU_TAP = "capqemu0"
TIMEOUT = 300  # one boot and both transfers; ~30 s when all is well
# The summary's rows say when they come from a host with one CPU (the legacy NICs' run).
HOST_NOTE = " (1-CPU host)" if os.cpu_count() == 1 else ""
UP = "up() { cut -d' ' -f1 /proc/uptime; }; "


def guest_script(mib):
    """Sends MIB megabytes to the sink, then times receiving as many from the source."""
    return (UP + f"dd if=/dev/zero bs=64K count={mib * 16} 2>/dev/null | nc {NS_ADDR} {UP_PORT}; "
            f"a=$(up); n=$(nc {NS_ADDR} {DOWN_PORT} </dev/null | wc -c); b=$(up); "
            "echo \"down $n $a $b\"")


# (label, NIC model, queue pairs = vCPUs, megabytes each way); capsule's guest
# is at 198.18.0.(2 + 2i), QEMU's one above.
SETUPS = [
    ("virtio-net, 1 queue", "virtio", 1, MIB),
    ("virtio-net, 2 queues, 2 vCPUs", "virtio", 2, MIB),
    ("e1000", "e1000", 1, LEGACY_MIB),
    ("rtl8139", "rtl8139", 1, LEGACY_MIB),
]


def netbed(*args, **kw):
    return subprocess.run([NETBED, *args], check=True, **kw)


def run_capsule(capsule, tmp, model, queues, addr, script):
    conf = os.path.join(tmp, f"net-{model}{queues}.conf")
    with open(conf, "w") as f:
        f.write(f"[vm]\nvcpus = {queues}\n[net n0]\nmodel = {model}\nbridge = capbr0\n"
                f"ip = {addr}/24\nqueues = {queues}\n")
    out = subprocess.run([capsule, "run", "-c", conf, "--", "sh", "-c", script],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    return out.stdout + out.stderr


def qemu_nic(model, queues, mac):
    """(machine, device argv words) for QEMU's MODEL on the tap QEMU_TAP."""
    mq = ([",queues=2", ",mq=on"] if queues > 1 else ["", ""])
    netdev = ["-netdev", f"tap,id=n0,ifname={QEMU_TAP},script=no,downscript=no,vhost=off{mq[0]}"]
    if model == "virtio":
        return "microvm,acpi=off", netdev + [
            "-device", f"virtio-net-device,netdev=n0,mac={mac}{mq[1]}"]
    return "pc", netdev + ["-device", f"{model},netdev=n0,mac={mac}"]


def run_qemu(kernel, initrd, model, queues, addr, script):
    mac = "02:00:00:00:00:" + addr.rsplit(".", 1)[1].rjust(2, "0")[-2:]
    machine, devices = qemu_nic(model, queues, mac)
    # The pause: init's exit port ends QEMU at once, before the UART has sent it all.
    extra = f"capsule.net={mac},{addr}/24 "
    cmdline = workload_cmdline(script + "; sleep 1", extra, pci=machine == "pc")
    netbed("tap", QEMU_TAP, str(queues))
    try:
        out = subprocess.run(qemu_argv(kernel, initrd, cmdline, devices, vcpus=queues,
                                       machine=machine),
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    finally:
        netbed("untap", QEMU_TAP)
    # isa-debug-exit turns init's 0 into 1; with -no-reboot a guest reset (a triple
    # fault, say) ends QEMU with 0 and no word.
    return out.stdout + out.stderr + f"\n[qemu exit status {out.returncode}]\n".encode()


def launch_vm(launch):
    """LAUNCH's output; a VM that outlives TIMEOUT is killed and its run fails."""
    try:
        return launch()
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        raise RuntimeError(f"the VM ran over {TIMEOUT} s; it said: {out[-600:]!r}") from None


def dropped_frames(out):
    """Frames capsule says its virtio-net NICs dropped, both ways (nics_report())."""
    return sum(int(a) + int(b) for a, b in re.findall(
        rb"frames dropped: (\d+) sent by the guest .*?, (\d+) for it", out))


def measure(tmp, launch, mib):
    """One boot moving MIB each way: (guest → namespace, namespace → guest) in
    Mbit/s, the VM's exits, and the frames capsule dropped."""
    total = mib << 20
    sink = start_peer(tmp, "sink", [NETBED, "peer"], "sink", str(UP_PORT))
    source = start_peer(tmp, "source", [NETBED, "peer"], "source", str(DOWN_PORT), str(total))
    out = b""
    try:
        with ExitCounter() as exits:
            out = launch_vm(lambda: launch(guest_script(mib)))
        up_bytes, up_s = peer_result(*sink)
        peer_result(*source)
    except RuntimeError as e:
        raise RuntimeError(f"{e}; the VM said: {out[-600:]!r}" if out else str(e)) from None
    finally:
        for proc, _ in (sink, source):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return (*rates(out, total, up_bytes, up_s), exits.exits, dropped_frames(out))


def idle_exits(launch):
    """The exits of a boot that moves nothing."""
    with ExitCounter() as exits:
        launch_vm(lambda: launch("true"))
    return exits.exits


def launcher(vmm, capsule, kernel, initrd, tmp, model, queues, addr):
    if vmm == "capsule":
        return lambda script: run_capsule(capsule, tmp, model, queues, addr, script)
    return lambda script: run_qemu(kernel, initrd, model, queues, addr, script)


def setups():
    """(label, VMM, model, queues, MiB, guest address) of what this run measures."""
    for i, (label, model, queues, mib) in enumerate(SETUPS):
        for j, vmm in enumerate(("capsule", "qemu")):
            if model in MODELS and queues in QUEUES and vmm in VMMS:
                yield label, vmm, model, queues, mib, f"198.18.0.{2 + 2 * i + j}"


def main():
    capsule, kernel, initrd = local_binary(sys.argv[1]), sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    best, failed, exits_per_mib, dropped = {}, {}, {}, {}
    netbed("up")
    with tempfile.TemporaryDirectory(dir="/run" if os.access("/run", os.W_OK) else None) as tmp:
        idle = {}
        for label, vmm, model, queues, mib, addr in setups():
            try:
                idle[(label, vmm)] = idle_exits(
                    launcher(vmm, capsule, kernel, initrd, tmp, model, queues, addr))
            except RuntimeError as e:
                print(f"  {label:30s} {vmm:8s} idle boot FAILED: {e}", file=sys.stderr)
        for i in range(runs):
            # Interleaved, so drift in the emulated host hits both alike.
            for label, vmm, model, queues, mib, addr in setups():
                launch = launcher(vmm, capsule, kernel, initrd, tmp, model, queues, addr)
                try:
                    up, down, exits, lost = measure(tmp, launch, mib)
                except RuntimeError as e:
                    # Reported, and the other runs go on: one bad run should not hide the rest.
                    print(f"  {label:30s} run {i + 1} {vmm:8s} FAILED: {e}", file=sys.stderr)
                    failed[(label, vmm)] = failed.get((label, vmm), 0) + 1
                    continue
                if vmm == "capsule" and model == "virtio":
                    dropped[label] = dropped.get(label, 0) + lost
                per_mib = None
                if exits and (label, vmm) in idle:
                    per_mib = max(exits - idle[(label, vmm)], 0) / (2 * mib)
                    exits_per_mib[(label, vmm)] = min(exits_per_mib.get((label, vmm), per_mib),
                                                      per_mib)
                print(f"  {label:30s} run {i + 1} {vmm:8s} guest → namespace {up:8.1f}  "
                      f"namespace → guest {down:8.1f} Mbit/s  exits {exits} "
                      f"({per_mib if per_mib is None else round(per_mib)}/MiB)", file=sys.stderr)
                for key, v in (("guest → namespace", up), ("namespace → guest", down)):
                    best[(label, key, vmm)] = max(best.get((label, key, vmm), 0), v)
    netbed("down")
    report(runs, best, exits_per_mib, dropped, failed)
    return 1 if failed else 0


def cell(v, fmt):
    return format(v, fmt) if v else "-"


def report(runs, best, exits_per_mib, dropped, failed):
    print(f"NIC TCP throughput, busybox nc in the guest, best of {runs} (nested KVM); "
          f"virtio-net {MIB} MiB each way in QEMU microvm, e1000 and rtl8139 "
          f"{LEGACY_MIB} MiB in QEMU pc:")
    print(f"{'':48s} {'capsule':>9s} {'qemu':>9s} {'ratio':>6s}")
    labels = list(dict.fromkeys(s[0] for s in setups()))
    for label in labels:
        for key in ("guest → namespace", "namespace → guest"):
            c, q = best.get((label, key, "capsule")), best.get((label, key, "qemu"))
            print(f"{key + ' Mbit/s, ' + label:48s} {cell(c, '9.1f'):>9s} {cell(q, '9.1f'):>9s} "
                  f"{cell(c / q if c and q else None, '6.2f'):>6s}")
            summary.add(f"{label}: {key} Mbit/s{HOST_NOTE}", c, q)
    for label in labels:
        c, q = exits_per_mib.get((label, "capsule")), exits_per_mib.get((label, "qemu"))
        print(f"{'VM exits per MiB moved, ' + label:48s} {cell(c, '9.0f'):>9s} "
              f"{cell(q, '9.0f'):>9s} {cell(c / q if c and q else None, '6.2f'):>6s}")
        summary.add(f"{label}: VM exits per MiB{HOST_NOTE}", c, q, ".0f")
    for label, n in dropped.items():
        print(f"{'frames dropped (all runs), ' + label:48s} {n:9d} {'-':>9s}")
        summary.add(f"{label}: frames dropped, all runs{HOST_NOTE}", n, None, "d")
    # The seeds' point: what paravirtual virtio gains over full emulation.
    base = "virtio-net, 1 queue"
    for label in (l for l in labels if l in ("e1000", "rtl8139")):
        for key in ("guest → namespace", "namespace → guest"):
            gains = []
            for vmm in ("capsule", "qemu"):
                v, l = best.get((base, key, vmm)), best.get((label, key, vmm))
                gains.append(cell(v / l if v and l else None, "9.1f"))
            print(f"{'virtio-net ÷ ' + label + ', ' + key:48s} {gains[0]:>9s} {gains[1]:>9s}")
    for (label, vmm), n in failed.items():
        print(f"FAILED: {vmm}, {label}: {n} of {runs} runs (see above)")


if __name__ == "__main__":
    sys.exit(main())
