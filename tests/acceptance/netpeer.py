#!/usr/bin/env python3
"""The namespace's end of a TCP transfer with a guest (the guest's busybox nc is the client).

  netpeer.py sink PORT [--ready FILE]           accept one connection, read it to its end
  netpeer.py source PORT BYTES [--ready FILE]   accept one connection, send BYTES of the
                                                pattern, shut down writing, wait for the close
  netpeer.py pattern BYTES                      write the pattern to stdout (for checks)
  --no-sha (sink, source): skip the checksum (prints "-"), for throughput runs

The peers print one line: "bytes N sha256 HEX seconds S", S from the accept to the
end of input (sink) or to the client's end of the connection (source; busybox nc
half-closes at once when its stdin is empty, so that is the end of the sending). --ready FILE is created
once the socket listens, so a caller can start the guest only then. Every wait
is bounded (TIMEOUT), so a peer never outlives a failed test for long.
BYTES may carry a K, M or G suffix (powers of 1024).
"""
import hashlib
import os
import socket
import sys
import time

TIMEOUT = 240
CHUNK = 1 << 16
BLOCK = 1 << 20


def pattern_blocks(total):
    """The pattern: 1 MiB blocks of fixed pseudo-random bytes, each starting with its index,
    so a lost, repeated or misplaced block changes the checksum. Cheap to make at any size."""
    base = bytearray(hashlib.shake_256(b"capsule net pattern").digest(BLOCK))
    i = 0
    while total > 0:
        base[0:16] = f"block {i:10d}".encode()[:16].ljust(16)
        n = min(total, BLOCK)
        yield memoryview(base)[:n]
        total -= n
        i += 1


def size(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
    return int(text[:-1] if mult > 1 else text) * mult


def listen(port, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    s.settimeout(TIMEOUT)
    if ready:
        with open(ready, "w") as f:
            f.write(f"{os.getpid()}\n")
    conn, _ = s.accept()
    s.close()
    conn.settimeout(TIMEOUT)
    return conn


class NoHash:
    def update(self, data):
        pass

    def hexdigest(self):
        return "-"


def sink(conn, h):
    n = 0
    buf = bytearray(CHUNK * 4)
    start = time.monotonic()
    while True:
        got = conn.recv_into(buf)
        if not got:
            break
        h.update(memoryview(buf)[:got])
        n += got
    return n, h.hexdigest(), time.monotonic() - start


def source(conn, total, h):
    n = 0
    start = time.monotonic()
    for block in pattern_blocks(total):
        conn.sendall(block)
        h.update(block)
        n += len(block)
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(CHUNK):  # the client closes once it has all of it
        pass
    return n, h.hexdigest(), time.monotonic() - start


def main(args):
    ready = None
    h = hashlib.sha256()
    if "--no-sha" in args:
        args.remove("--no-sha")
        h = NoHash()
    if "--ready" in args:
        i = args.index("--ready")
        ready = args[i + 1]
        del args[i:i + 2]
    if len(args) == 2 and args[0] == "pattern":
        out = sys.stdout.buffer
        try:
            for block in pattern_blocks(size(args[1])):
                out.write(block)
            out.flush()
        except BrokenPipeError:  # a reader that wanted less
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        return 0
    if len(args) == 2 and args[0] == "sink":
        result = sink(listen(int(args[1]), ready), h)
    elif len(args) == 3 and args[0] == "source":
        conn = listen(int(args[1]), ready)
        result = source(conn, size(args[2]), h)
    else:
        sys.exit(__doc__)
    print("bytes %d sha256 %s seconds %.3f" % result, flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except OSError as e:  # a timeout, a reset: one line, no traceback
        sys.exit(f"netpeer: {' '.join(sys.argv[1:3])}: {e or type(e).__name__}")
