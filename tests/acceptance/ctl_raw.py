#!/usr/bin/env python3
"""Speaks capsule's control protocol without capsule ctl, as another tool would (README: Control socket).

usage: ctl_raw.py SOCKET garbage    hostile requests on one connection; prints "CODE" for each answer
       ctl_raw.py SOCKET flood N [HOLD]
                                    N clients connected at once, then each asks "info vm";
                                    prints "answered K of N", and what one client more is told;
                                    then holds the N connections HOLD seconds (0)
       ctl_raw.py SOCKET ask LINE   one request; prints the answer line
Every answer must be one line of JSON; anything else is printed as "BAD ...".
"""
import json
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    return s


def answer(f):
    line = f.readline()
    if not line.endswith(b"\n"):
        return None, "BAD no answer line: %r" % line[:200]
    try:
        a = json.loads(line.decode("utf-8"))
    except ValueError as e:
        return None, "BAD not JSON (%s): %r" % (e, line[:200])
    return a, None


def code(a):
    return "ok" if a.get("ok") is True else a.get("code", "?")


def garbage(path):
    requests = [
        b"x" * 5000,                        # longer than 4 KiB
        b"\x00\xff\xfe binary \x01\x02",    # NUL, not UTF-8, control characters
        b"\xc3\x28",                        # malformed UTF-8
        b"",                                # empty
        b"frobnicate",                      # unknown
        b"info",                            # a word missing
        b"info vm now",                     # one too many
        b"balloon 12Q",                     # a bad size
        b"balloon 0",
        b"balloon 99999999999T",
        b"shutdown -1",
        b"info vm",                         # and it still answers
    ]
    s = connect(path)
    f = s.makefile("rb")
    for r in requests:
        s.sendall(r + b"\n")
        a, bad = answer(f)
        print(bad or code(a))
    s.close()


def flood(path, n, hold):
    clients = [connect(path) for _ in range(n)]
    # All connected at once; then each asks, and every answer is read.
    for c in clients:
        c.sendall(b"info vm\n")
    ok = 0
    for c in clients:
        a, bad = answer(c.makefile("rb"))
        if bad:
            print(bad)
        elif a.get("ok") is True and a.get("command") == "info vm":
            ok += 1
    print("answered %d of %d" % (ok, n))
    extra = connect(path)
    try:
        extra.sendall(b"info vm\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused (busy) and closed before we sent: its answer is still there to read
    a, bad = answer(extra.makefile("rb"))
    print("one more: " + (bad or code(a)))
    sys.stdout.flush()
    time.sleep(hold)
    for c in clients + [extra]:
        c.close()


def main():
    path, what = sys.argv[1], sys.argv[2]
    if what == "garbage":
        garbage(path)
    elif what == "flood":
        flood(path, int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif what == "ask":
        s = connect(path)
        s.sendall(sys.argv[3].encode() + b"\n")
        a, bad = answer(s.makefile("rb"))
        print(bad or json.dumps(a))
    else:
        sys.exit(__doc__)


main()
