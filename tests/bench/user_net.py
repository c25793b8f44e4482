#!/usr/bin/env python3
"""User-mode networking (passt) TCP throughput: capsule --net user beside QEMU microvm on passt.

Both VMs talk to the same Debian passt with the same options (capsule starts its
own; for QEMU this starts one the same way, on one end of a socket pair whose
other end QEMU takes as `-netdev stream,addr.type=fd`): the guest is 10.0.2.15/24, the host's 127.0.0.1 is the
gateway 10.0.2.2. In one boot the guest sends MiB megabytes of zeros to a sink
on the host's 127.0.0.1 with busybox nc (timed by the sink, from accept to end of
input), then fetches as many with busybox wget from an HTTP server there (timed
in the guest by /proc/uptime). Not `nc </dev/null` for the download as in
net.py: after the guest's half-close this passt (0.0~git20230309) never ends the
transfer, it sends the same data again and again (the guest read 47 MB of an
8 MiB transfer in 60 s, under QEMU as under capsule). Runs on a host with /dev/kvm (tests/bench/run puts it in the
emulated host); needs no root and no network.
usage: user_net.py CAPSULE KERNEL INITRD [RUNS]
  CAPSULE_BENCH_USER_NET_MIB      megabytes each way (16)
  CAPSULE_BENCH_USER_NET_TIMEOUT  seconds one boot may take (300)
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

import summary
from peer import peer_result, rates, start_peer
from microvm import local_binary, qemu_argv, workload_cmdline

HERE = os.path.dirname(os.path.abspath(__file__))
NETPEER = os.path.join(HERE, "..", "acceptance", "netpeer.py")
MIB = int(os.environ.get("CAPSULE_BENCH_USER_NET_MIB", "16"))
UP_PORT, DOWN_PORT = 5011, 5012  # the sink, the HTTP server
GATEWAY, GUEST = "10.0.2.2", "10.0.2.15"
TIMEOUT = int(os.environ.get("CAPSULE_BENCH_USER_NET_TIMEOUT", "300"))
UP = "up() { cut -d' ' -f1 /proc/uptime; }; "
# capsule's passt options (vmm/backend/passt_args.c), --fd added.
PASST = ["passt", "--foreground", "--quiet", "--ipv4-only", "--interface", "lo",
         "--mac-addr", "02:ca:95:00:02:02", "--address", GUEST, "--netmask", "24",
         "--gateway", GATEWAY, "--dns-forward", "10.0.2.3", "-t", "none", "-u", "none"]


def guest_script(mib):
    """Sends MIB megabytes to the sink, then times receiving as many from the source."""
    return (UP + f"dd if=/dev/zero bs=64K count={mib * 16} 2>/dev/null | nc {GATEWAY} {UP_PORT}; "
            f"a=$(up); n=$(wget -qO- http://{GATEWAY}:{DOWN_PORT}/zeros | wc -c); b=$(up); "
            "echo \"down $n $a $b\"")


def start_http(tmp, mib):
    """An HTTP server on the host's 127.0.0.1:DOWN_PORT serving MIB megabytes of zeros, once it listens."""
    www = os.path.join(tmp, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "zeros"), "wb") as f:
        f.truncate(mib << 20)
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                             str(DOWN_PORT), "--directory", www],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", DOWN_PORT), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start") from None
            time.sleep(0.05)


def run_capsule(capsule, script):
    out = subprocess.run([capsule, "run", "--net", "user", "--", "sh", "-c", script],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    return out.stdout + out.stderr


def run_qemu(kernel, initrd, tmp, script):
    mac = "02:00:00:00:00:0f"
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    passt = subprocess.Popen(PASST + ["--fd", str(theirs.fileno())], stdin=subprocess.DEVNULL,
                             pass_fds=[theirs.fileno()])
    theirs.close()
    devices = ["-netdev", f"stream,id=n0,server=off,addr.type=fd,addr.str={ours.fileno()}",
               "-device", f"virtio-net-device,netdev=n0,mac={mac}"]
    # The pause: init's exit port ends QEMU at once, before the UART has sent it all.
    cmdline = workload_cmdline(script + "; sleep 1", f"capsule.net={mac},{GUEST}/24,{GATEWAY} ")
    try:
        out = subprocess.run(qemu_argv(kernel, initrd, cmdline, devices),
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT,
                             pass_fds=[ours.fileno()])
    finally:
        ours.close()
        passt.terminate()
        passt.wait()
    return out.stdout + out.stderr


def measure(tmp, launch, mib):
    """One boot moving MIB each way: (guest → host, host → guest) in Mbit/s."""
    total = mib << 20
    sink = start_peer(tmp, "sink", [sys.executable, NETPEER], "sink", str(UP_PORT))
    http = start_http(tmp, mib)
    out = b""
    try:
        try:
            out = launch(guest_script(mib))
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"the VM ran over {TIMEOUT} s") from None
        up_bytes, up_s = peer_result(*sink)
    finally:
        for proc in (sink[0], http):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return rates(out, total, up_bytes, up_s)


def main():
    capsule, kernel, initrd = local_binary(sys.argv[1]), sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    launchers = {
        "capsule": lambda tmp: lambda s: run_capsule(capsule, s),
        "qemu": lambda tmp: lambda s: run_qemu(kernel, initrd, tmp, s),
    }
    best = {}
    failed = []
    print(f"user_net: passt TCP throughput, {MIB} MiB each way to/from the host's 127.0.0.1, "
          f"{runs} runs, interleaved; best of runs")
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as tmp:
        for r in range(runs):
            for vmm, make in launchers.items():
                try:
                    up, down = measure(tmp, make(tmp), MIB)
                except RuntimeError as e:
                    failed.append(f"{vmm} run {r + 1}: {e}")
                    continue
                print(f"  {vmm:8s} run {r + 1}: up {up:8.1f} Mbit/s, down {down:8.1f} Mbit/s",
                      flush=True)
                b = best.setdefault(vmm, [0.0, 0.0])
                b[0], b[1] = max(b[0], up), max(b[1], down)
    print(f"{'':28s} {'capsule':>10s} {'qemu':>10s} {'ratio':>6s}")
    for i, key in enumerate(("up", "down")):
        c, q = (best.get(v, [None, None])[i] for v in ("capsule", "qemu"))
        ratio = f"{c / q:.2f}" if c and q else "-"
        print(f"{'passt ' + key + ' Mbit/s':28s} {c or 0:10.1f} {q or 0:10.1f} {ratio:>6s}")
        summary.add(f"user net (passt), 1 queue: {key} Mbit/s", c, q)
    for f in failed:
        print("  failed: " + f)
    return 1 if len(failed) == 2 * runs else 0


if __name__ == "__main__":
    sys.exit(main())
