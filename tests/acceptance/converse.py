#!/usr/bin/env python3
"""Drive an interactive command the way a person at its console would.

usage: converse.py [-t SECS] [-p ROWSxCOLS] (-e TEXT | -s TEXT | -r ROWSxCOLS)... -- CMD [ARG...]
  -p ROWSxCOLS  run CMD on a pty of that size (its controlling terminal), not pipes
  -e TEXT  wait until TEXT has appeared in the command's stdout (after what
           earlier -e steps matched)
  -s TEXT  send TEXT to its stdin (Python escapes: \\n, \\x04 ...)
  -r ROWSxCOLS  resize the pty (the command gets SIGWINCH)
After the steps it waits for the command to end. Prints everything the
command wrote on stdout and exits with its status; 124 when a step or the
whole conversation runs past SECS (default 300).
"""
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time


def size(value):
    rows, cols = value.split("x")
    return int(rows), int(cols)


def set_size(fd, rows_cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", *rows_cols, 0, 0))


def parse(argv):
    timeout, steps, pty = 300.0, [], None
    i = 0
    while i < len(argv) and argv[i] != "--":
        flag, value = argv[i], argv[i + 1]
        if flag == "-t":
            timeout = float(value)
        elif flag == "-p":
            pty = size(value)
        elif flag == "-r":
            steps.append((flag, size(value)))
        elif flag in ("-e", "-s"):
            text = value.encode().decode("unicode_escape").encode("latin-1")
            steps.append((flag, text))
        else:
            sys.exit(f"converse: unknown flag {flag}")
        i += 2
    return timeout, steps, pty, argv[i + 1:]


class Pipes:
    """The command on pipes: write to its stdin, read its stdout."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.out = self.proc.stdout.fileno()

    def send(self, text):
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def close(self):
        self.proc.stdin.close()


class Pty:
    """The command on a pty it has as controlling terminal (stdout and stderr both)."""

    def __init__(self, cmd, rows_cols):
        master, slave = os.openpty()
        set_size(master, rows_cols)

        def own_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                                     preexec_fn=own_terminal)
        os.close(slave)
        self.out = self.master = master

    def send(self, text):
        os.write(self.master, text)

    def close(self):
        pass


def main():
    timeout, steps, pty, cmd = parse(sys.argv[1:])
    deadline = time.monotonic() + timeout
    io = Pty(cmd, pty) if pty else Pipes(cmd)
    proc = io.proc
    seen, matched_to = b"", 0

    def read_some():
        nonlocal seen
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([io.out], [], [], min(left, 1.0))
        if ready:
            try:
                chunk = os.read(io.out, 65536)
            except OSError:  # a pty whose other side closed
                chunk = b""
            if not chunk:
                return False
            seen += chunk
        return True

    for flag, text in steps:
        if flag == "-s":
            io.send(text)
            continue
        if flag == "-r":
            set_size(io.master, text)
            continue
        while seen.find(text, matched_to) < 0:
            if not read_some():
                proc.kill()
                sys.stdout.buffer.write(seen)
                sys.stderr.write(f"converse: gave up waiting for {text!r}\n")
                sys.exit(124)
        matched_to = seen.find(text, matched_to) + len(text)
    io.close()
    while read_some() or time.monotonic() < deadline and proc.poll() is None:
        pass
    if proc.poll() is None:
        proc.kill()
        sys.stdout.buffer.write(seen)
        sys.stderr.write("converse: the command did not end\n")
        sys.exit(124)
    while read_some():
        pass
    sys.stdout.buffer.write(seen)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
