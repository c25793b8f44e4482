#!/usr/bin/env python3
"""virtio-net TCP throughput: capsule beside QEMU microvm (virtio-net-device, tap, no vhost).

Runs on a host with /dev/kvm, as root (tests/bench/run puts it in the emulated
host). The test bed is tests/acceptance/netbed.sh's: bridge capbr0 and the
namespace capns at 198.18.0.1. Each VM joins the bridge through a tap (capsule
makes its own; QEMU gets a persistent one made here) and, in one boot, sends
MiB megabytes of zeros to a sink in the namespace with busybox nc (timed by the
sink, from accept to end of input), then receives as many from a source there
(timed in the guest by /proc/uptime). Then the same with two queue pairs and
two vCPUs.
usage: net.py CAPSULE KERNEL INITRD [RUNS]
  CAPSULE_BENCH_NET_MIB     megabytes each way (32)
  CAPSULE_BENCH_NET_VMMS    which to run ("capsule qemu")
"""
import os
import re
import subprocess
import sys
import tempfile
import time

from microvm import qemu_argv, workload_cmdline

HERE = os.path.dirname(os.path.abspath(__file__))
NETBED = os.path.join(HERE, "..", "acceptance", "netbed.sh")
MIB = int(os.environ.get("CAPSULE_BENCH_NET_MIB", "32"))
NS_ADDR = "198.18.0.1"
UP_PORT, DOWN_PORT = 5001, 5002
VMMS = os.environ.get("CAPSULE_BENCH_NET_VMMS", "capsule qemu").split()
QEMU_TAP = "capqemu0"
TIMEOUT = 300  # one boot and both transfers; ~30 s when all is well
UP = "up() { cut -d' ' -f1 /proc/uptime; }; "
GUEST = (UP + f"dd if=/dev/zero bs=64K count={MIB * 16} 2>/dev/null | nc {NS_ADDR} {UP_PORT}; "
         f"a=$(up); n=$(nc {NS_ADDR} {DOWN_PORT} </dev/null | wc -c); b=$(up); echo \"down $n $a $b\"")
# (label, VMM, queue pairs = vCPUs, guest address)
SETUPS = [
    ("1 queue", "capsule", 1, "198.18.0.2"),
    ("1 queue", "qemu", 1, "198.18.0.3"),
    ("2 queues, 2 vCPUs", "capsule", 2, "198.18.0.4"),
    ("2 queues, 2 vCPUs", "qemu", 2, "198.18.0.5"),
]


def netbed(*args, **kw):
    return subprocess.run([NETBED, *args], check=True, **kw)


def start_peer(tmp, name, *args):
    """netpeer.py ARGS in the namespace, once it listens; returns (process, output file)."""
    ready, out = os.path.join(tmp, name + ".ready"), os.path.join(tmp, name + ".out")
    for f in (ready, out):
        if os.path.exists(f):
            os.unlink(f)
    proc = subprocess.Popen([NETBED, "peer", *args, "--no-sha", "--ready", ready],
                            stdout=open(out, "w"))
    deadline = time.monotonic() + 60
    while not (os.path.exists(ready) and os.path.getsize(ready)):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"peer {name} did not start")
        time.sleep(0.05)
    return proc, out


def peer_result(proc, out):
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    m = re.search(r"bytes (\d+) sha256 \S+ seconds ([\d.]+)", open(out).read())
    if not m:
        raise RuntimeError("the namespace's peer has no result")
    return int(m.group(1)), float(m.group(2))


def run_capsule(capsule, tmp, queues, addr):
    conf = os.path.join(tmp, f"net{queues}.conf")
    with open(conf, "w") as f:
        f.write(f"[vm]\nvcpus = {queues}\n[net n0]\nbridge = capbr0\nip = {addr}/24\n"
                f"queues = {queues}\n")
    out = subprocess.run([capsule, "run", "-c", conf, "--", "sh", "-c", GUEST],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    return out.stdout + out.stderr


def run_qemu(kernel, initrd, queues, addr):
    mac = f"02:00:00:00:00:{queues:02x}"
    # The pause: init's exit port ends QEMU at once, before the UART has sent it all.
    cmdline = workload_cmdline(GUEST + "; sleep 1", f"capsule.net={mac},{addr}/24 ")
    mq = ([",queues=2", ",mq=on"] if queues > 1 else ["", ""])
    devices = ["-netdev", f"tap,id=n0,ifname={QEMU_TAP},script=no,downscript=no,vhost=off{mq[0]}",
               "-device", f"virtio-net-device,netdev=n0,mac={mac}{mq[1]}"]
    netbed("tap", QEMU_TAP, str(queues))
    try:
        out = subprocess.run(qemu_argv(kernel, initrd, cmdline, devices, vcpus=queues),
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


def measure(tmp, launch):
    """One boot: (guest → namespace, namespace → guest) in Mbit/s."""
    total = MIB << 20
    sink = start_peer(tmp, "sink", "sink", str(UP_PORT))
    source = start_peer(tmp, "source", "source", str(DOWN_PORT), str(total))
    out = b""
    try:
        out = launch_vm(launch)
        up_bytes, up_s = peer_result(*sink)
        peer_result(*source)
    except RuntimeError as e:
        raise RuntimeError(f"{e}; the VM said: {out[-600:]!r}" if out else str(e)) from None
    finally:
        for proc, _ in (sink, source):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    m = re.search(rb"down (\d+) ([\d.]+) ([\d.]+)", out)
    if up_bytes != total or not m or int(m.group(1)) != total:
        raise RuntimeError(f"incomplete transfer (sink got {up_bytes} bytes): {out[-600:]!r}")
    down_s = max(float(m.group(3)) - float(m.group(2)), 0.01)
    return total * 8 / up_s / 1e6, total * 8 / down_s / 1e6


def main():
    capsule, kernel, initrd = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    best, failed = {}, {}
    netbed("up")
    with tempfile.TemporaryDirectory(dir="/run" if os.access("/run", os.W_OK) else None) as tmp:
        for i in range(runs):
            # Interleaved, so drift in the emulated host hits both alike.
            for label, vmm, queues, addr in SETUPS:
                if vmm not in VMMS:
                    continue
                if vmm == "capsule":
                    launch = lambda: run_capsule(capsule, tmp, queues, addr)  # noqa: E731
                else:
                    launch = lambda: run_qemu(kernel, initrd, queues, addr)  # noqa: E731
                try:
                    up, down = measure(tmp, launch)
                except RuntimeError as e:
                    # Reported, and the other runs go on: one bad run should not hide the rest.
                    print(f"  {label:18s} run {i + 1} {vmm:8s} FAILED: {e}", file=sys.stderr)
                    failed[(label, vmm)] = failed.get((label, vmm), 0) + 1
                    continue
                print(f"  {label:18s} run {i + 1} {vmm:8s} guest → namespace {up:8.1f}  "
                      f"namespace → guest {down:8.1f} Mbit/s", file=sys.stderr)
                for key, v in (("guest → namespace", up), ("namespace → guest", down)):
                    best[(label, key, vmm)] = max(best.get((label, key, vmm), 0), v)
    netbed("down")
    print(f"virtio-net TCP throughput, {MIB} MiB each way, busybox nc in the guest, "
          f"best of {runs} (nested KVM):")
    print(f"{'':42s} {'capsule':>9s} {'qemu':>9s} {'ratio':>6s}")
    for label in dict.fromkeys(s[0] for s in SETUPS):
        for key in ("guest → namespace", "namespace → guest"):
            c, q = best.get((label, key, "capsule")), best.get((label, key, "qemu"))
            cells = [f"{v:9.1f}" if v else f"{'-':>9s}" for v in (c, q)]
            ratio = f"{c / q:6.2f}" if c and q else f"{'-':>6s}"
            print(f"{key + ' Mbit/s, ' + label:42s} {cells[0]} {cells[1]} {ratio}")
    for (label, vmm), n in failed.items():
        print(f"FAILED: {vmm}, {label}: {n} of {runs} runs (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
