#!/usr/bin/env python3
"""Drive an interactive command the way a person at its console would.

usage: converse.py [-t SECS] (-e TEXT | -s TEXT)... -- CMD [ARG...]
  -e TEXT  wait until TEXT has appeared in the command's stdout (after what
           earlier -e steps matched)
  -s TEXT  send TEXT to its stdin (Python escapes: \\n, \\x04 ...)
After the steps it waits for the command to end. Prints everything the
command wrote on stdout and exits with its status; 124 when a step or the
whole conversation runs past SECS (default 300).
"""
import os
import select
import subprocess
import sys
import time


def parse(argv):
    timeout, steps = 300.0, []
    i = 0
    while i < len(argv) and argv[i] != "--":
        flag, value = argv[i], argv[i + 1]
        if flag == "-t":
            timeout = float(value)
        elif flag in ("-e", "-s"):
            text = value.encode().decode("unicode_escape").encode("latin-1")
            steps.append((flag, text))
        else:
            sys.exit(f"converse: unknown flag {flag}")
        i += 2
    return timeout, steps, argv[i + 1:]


def main():
    timeout, steps, cmd = parse(sys.argv[1:])
    deadline = time.monotonic() + timeout
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    seen, matched_to = b"", 0

    def read_some():
        nonlocal seen
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                return False
            seen += chunk
        return True

    for flag, text in steps:
        if flag == "-s":
            proc.stdin.write(text)
            proc.stdin.flush()
            continue
        while seen.find(text, matched_to) < 0:
            if not read_some():
                proc.kill()
                sys.stdout.buffer.write(seen)
                sys.stderr.write(f"converse: gave up waiting for {text!r}\n")
                sys.exit(124)
        matched_to = seen.find(text, matched_to) + len(text)
    proc.stdin.close()
    while read_some() or time.monotonic() < deadline and proc.poll() is None:
        pass
    if proc.poll() is None:
        proc.kill()
        sys.stdout.buffer.write(seen)
        sys.stderr.write("converse: the command did not end\n")
        sys.exit(124)
    seen += proc.stdout.read()
    sys.stdout.buffer.write(seen)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
