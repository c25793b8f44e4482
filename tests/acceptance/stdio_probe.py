#!/usr/bin/env python3
"""Run a command on pipes, sockets or a terminal the way a user's shell would, and report what happened.

  stdio_probe.py slow [--at BYTES] [--pause SECS] [--socket] -- CMD...
      CMD's stdout is read by a reader that stops for SECS once it has BYTES,
      then reads on to the end; CMD's stderr is read all along, each line
      timestamped. Prints key=value lines: bytes, sha256, status, pause (start
      and end, seconds since CMD started), exited (when), stderr_in_pause (lines
      that arrived during the pause, its first second left out: the time the
      pipe takes to fill), and shared_blocking (yes when the descriptions CMD
      shared with us, stdin, stdout and stderr, are still blocking after it
      exited), then CMD's stderr lines as "stderr: T LINE".
  stdio_probe.py tty -- CMD...
      CMD on a pseudo-terminal (stdin, stdout and stderr); prints its output,
      then status and shared_blocking for the terminal.
"""
import argparse
import hashlib
import os
import pty
import select
import socket
import subprocess
import sys
import threading
import time


def read_stdout(fd, at, pause, out, t_start):
    h = hashlib.sha256()
    total = 0
    while True:
        if out.get("pause") is None and total >= at:
            t0 = time.monotonic() - t_start
            time.sleep(pause)
            out["pause"] = (t0, time.monotonic() - t_start)
        data = os.read(fd, 65536)
        if not data:
            break
        h.update(data)
        total += len(data)
    out["bytes"] = total
    out["sha256"] = h.hexdigest()


def read_stderr(fd, lines, t_start):
    with os.fdopen(fd, "rb", buffering=0) as f:
        buf = b""
        while True:
            data = f.read(4096)
            if not data:
                break
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                lines.append((time.monotonic() - t_start, line.decode(errors="replace")))


def slow(args):
    if args.socket:
        out_r, out_w = (s.detach() for s in socket.socketpair())
    else:
        out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe()
    os.close(in_w)  # end of input at once: the command reads nothing
    t_start = time.monotonic()
    proc = subprocess.Popen(args.cmd, stdin=in_r, stdout=out_w, stderr=err_w)
    got, lines = {}, []
    readers = [
        threading.Thread(target=read_stdout, args=(out_r, args.at, args.pause, got, t_start)),
        threading.Thread(target=read_stderr, args=(err_r, lines, t_start)),
    ]
    for t in readers:
        t.start()
    status = proc.wait()
    exited = time.monotonic() - t_start
    # Our copies share the command's open file descriptions: what it left them as.
    blocking = all(os.get_blocking(fd) for fd in (in_r, out_w, err_w))
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    for t in readers:
        t.join()
    t0, t1 = got.get("pause", (0.0, 0.0))
    in_pause = sum(1 for t, _ in lines if t0 + 1.0 < t < t1)
    print(f"bytes={got['bytes']}\nsha256={got['sha256']}\nstatus={status}")
    print(f"pause={t0:.1f} {t1:.1f}\nexited={exited:.1f}\nstderr_in_pause={in_pause}")
    print(f"shared_blocking={'yes' if blocking else 'no'}")
    for t, line in lines:
        print(f"stderr: {t:.1f} {line}")


def tty(args):
    master, slave = pty.openpty()
    proc = subprocess.Popen(args.cmd, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    output = b""
    while proc.poll() is None:
        if select.select([master], [], [], 0.2)[0]:
            try:
                output += os.read(master, 65536)
            except OSError:
                break
    status = proc.wait()
    blocking = os.get_blocking(slave)
    sys.stdout.write(output.decode(errors="replace").replace("\r", ""))
    print(f"\nstatus={status}\nshared_blocking={'yes' if blocking else 'no'}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("slow")
    s.add_argument("--at", type=int, default=1 << 20)
    s.add_argument("--pause", type=float, default=5.0)
    s.add_argument("--socket", action="store_true", help="stdout on a socket, not a pipe")
    s.add_argument("cmd", nargs="+")
    t = sub.add_parser("tty")
    t.add_argument("cmd", nargs="+")
    args = p.parse_args()
    slow(args) if args.mode == "slow" else tty(args)


if __name__ == "__main__":
    main()
