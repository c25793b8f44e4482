"""The host's end of a network bench: tests/acceptance/netpeer.py started and read back."""
import os
import re
import subprocess
import time


def start_peer(tmp, name, launcher, *args):
    """LAUNCHER (argv words that run netpeer.py) with ARGS, once it listens; returns
    (process, output file)."""
    ready, out = os.path.join(tmp, name + ".ready"), os.path.join(tmp, name + ".out")
    for f in (ready, out):
        if os.path.exists(f):
            os.unlink(f)
    proc = subprocess.Popen([*launcher, *args, "--no-sha", "--ready", ready],
                            stdout=open(out, "w"))
    deadline = time.monotonic() + 60
    while not (os.path.exists(ready) and os.path.getsize(ready)):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"peer {name} did not start")
        time.sleep(0.05)
    return proc, out


def peer_result(proc, out):
    """(bytes, seconds) the peer reports once it ends (killed after 30 s)."""
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    m = re.search(r"bytes (\d+) sha256 \S+ seconds ([\d.]+)", open(out).read())
    if not m:
        raise RuntimeError("the host's peer has no result")
    return int(m.group(1)), float(m.group(2))


def rates(out, total, up_bytes, up_s):
    """(up, down) Mbit/s of a TOTAL-byte transfer each way: up as the host's sink
    counted it, down from the guest's "down BYTES START END" line in OUT."""
    m = re.search(rb"down (\d+) ([\d.]+) ([\d.]+)", out)
    if up_bytes != total or not m or int(m.group(1)) != total:
        raise RuntimeError(f"incomplete transfer (sink got {up_bytes} bytes): {out[-600:]!r}")
    down_s = max(float(m.group(3)) - float(m.group(2)), 0.01)
    return total * 8 / up_s / 1e6, total * 8 / down_s / 1e6
