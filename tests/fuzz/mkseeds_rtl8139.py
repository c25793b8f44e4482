#!/usr/bin/env python3
"""Writes the seed inputs of the rtl8139 fuzz target (tests/fuzz/corpus/rtl8139/).

usage: tests/fuzz/mkseeds_rtl8139.py
The input format is described at the top of tests/fuzz/fuzz_rtl8139.c: each
seed is what 8139too (C mode) or 8139cp (C+ mode) does (probe, open, send,
receive), for libFuzzer to vary.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
WRITE, READ, RAM, RX, RESET, BACKEND = range(6)
W1, W2, W4 = 0 << 3, 1 << 3, 2 << 3
MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])


def op(o, width=W1, mmio=False):
    # The op byte: its kind in OP % 6, width in bits 3-4, MMIO in bit 7.
    base = width | (0x80 if mmio else 0)
    for v in range(256):
        if v % 6 == o and v & 0x98 == base:
            return bytes([v])
    raise ValueError(o)


def w(off, val, width=W1, mmio=False): return op(WRITE, width, mmio) + bytes([off]) + struct.pack('<I', val)
def r(off, width=W1, mmio=False): return op(READ, width, mmio) + bytes([off])


def ram(addr, data):
    out = b''
    for i in range(0, len(data), 255):
        chunk = data[i:i + 255]
        out += op(RAM) + struct.pack('<HB', (addr + i) // 2, len(chunk)) + chunk
    return out


def rx(frame): return op(RX) + struct.pack('<H', 12 + len(frame)) + bytes(12) + frame


def eeprom_read(loc, addr_len):
    cmd, out = loc | 6 << addr_len, w(0x50, 0x80) + w(0x50, 0x88)
    for i in range(4 + addr_len, -1, -1):
        d = 2 if cmd >> i & 1 else 0
        out += w(0x50, 0x88 | d) + w(0x50, 0x8c | d)
    out += w(0x50, 0x88)
    for _ in range(16):
        out += w(0x50, 0x8c) + r(0x50) + w(0x50, 0x88)
    return out + w(0x50, 0)


def probe():
    out = r(0x40, W4) + eeprom_read(0, 8) + eeprom_read(0, 6)
    for i in range(3):
        out += eeprom_read(7 + i, 6)
    return out


def hw_start(ring=0x8000, rcr=0x0000e78a):
    return (w(0x37, 0x10) + r(0x37) + w(0x50, 0xc0) + w(0x00, 0x00545253, W4) + w(0x04, 0x5634, W4) +
            w(0x30, ring, W4) + w(0x37, 0x0c) + w(0x44, rcr, W4) + w(0x40, 0x03000700, W4) +
            w(0x50, 0) + b''.join(w(0x20 + 4 * i, 0x1000 + 0x800 * i, W4) for i in range(4)) +
            w(0x4c, 0, W4) + w(0x3c, 0xe07f, W2))


def frame(dst, n):
    return dst + bytes([2, 0, 0, 0, 0, 1, 8, 0]) + bytes((i * 7) & 0xff for i in range(n - 14))


def desc(opts1, opts2, addr): return struct.pack('<IIQ', opts1, opts2, addr)


OWN, EOR, FS, LS, LGSEN, IPCS, TCPCS = 1 << 31, 1 << 30, 1 << 29, 1 << 28, 1 << 27, 1 << 18, 1 << 16


def cp_start(rx_ring=0x4000, tx_ring=0x4400, rx_bufs=0x8000, nrx=4):
    """cp_init_hw(): reset, C+ on, the rings' addresses, on, then the receive ring given to the chip."""
    descs = b''.join(desc(OWN | (EOR if i == nrx - 1 else 0) | 1536, 0, rx_bufs + 0x800 * i)
                     for i in range(nrx))
    return (w(0x37, 0x10) + r(0x37) + w(0x50, 0xc0) + w(0xe0, 0x003b, W2) + w(0x28, 0, W4) +
            w(0xe4, rx_ring, W4) + w(0xe8, 0, W4) + w(0x20, tx_ring, W4) + w(0x24, 0, W4) +
            w(0x37, 0x0c) + w(0xec, 6) + w(0x44, 0x0000a60a, W4) + w(0x40, 0x03000600, W4) +
            w(0x50, 0) + ram(rx_ring, descs) + w(0x3c, 0x80ff, W2, True))


def tcp_frame(n):
    """A TCP/IPv4 frame of N bytes to MAC, checksums left to the chip."""
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, n - 14, 0, 0, 64, 6, 0, bytes([198, 18, 0, 2]),
                     bytes([198, 18, 0, 1]))
    tcp = struct.pack('>HHIIBBHHH', 5001, 40000, 1, 1, 0x50, 0x18, 1000, 0, 0)
    return MAC + bytes([2, 0, 0, 0, 0, 1, 8, 0]) + ip + tcp + bytes((i * 3) & 0xff for i in range(n - 54))


def write(name, data):
    d = os.path.join(HERE, 'corpus', 'rtl8139')
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def main():
    write('probe', probe())
    tx = hw_start()
    for i in range(4):
        tx += ram(0x1000 + 0x800 * i, frame(b'\xff' * 6, 60 + 40 * i))
        tx += w(0x10 + 4 * i, 0x00020000 | (60 + 40 * i), W4) + r(0x3e, W2) + w(0x3e, 0x04, W2)
    tx += w(0x10, 0x00020000 | 1793, W4) + w(0x24, 0x7fff0000, W4) + w(0x14, 60, W4)
    write('tx-slots', tx)
    rxs = hw_start(rcr=0x0000e08a)  # 8 KiB ring, WRAP, broadcast and own address
    cur = 0
    for i in range(10):
        n = 1000 if i % 3 else 60
        rxs += rx(frame(MAC, n))
        cur = (cur + n + 8 + 3) & ~3
        rxs += r(0x37) + w(0x38, (cur - 16) & 0xffff, W2) + w(0x3e, 0x01, W2)
    rxs += op(BACKEND) + bytes([4]) + rx(frame(MAC, 200))  # the tap never runs dry
    write('rx-ring', rxs)
    filt = hw_start(rcr=0x0000f70e) + w(0x08, 0xffffffff, W4, True) + w(0x0c, 0x00000040, W4, True)
    for dst in (b'\xff' * 6, bytes([1, 0, 0x5e, 0, 0, 1]), MAC, bytes([0x52, 0x54, 0, 9, 9, 9])):
        filt += rx(frame(dst, 64))
    filt += w(0x44, 0x0000f70f, W4) + rx(frame(bytes([0x52, 0x54, 0, 9, 9, 9]), 64)) + op(RESET) + r(0x00, W4)
    write('rx-filters', filt)
    cp = cp_start() + ram(0x6000, tcp_frame(600)) + ram(0x6400, frame(b'\xff' * 6, 100))
    cp += ram(0x4400, desc(OWN | FS | LS | IPCS | TCPCS | 600, 0, 0x6000) +
              desc(OWN | FS | 54 | LGSEN | 536 << 16, 0, 0x6000) + desc(OWN | LS | 546 | LGSEN | 536 << 16, 0, 0x6036) +
              desc(OWN | FS | LS | EOR | 100, 0x20000 | 0x0201, 0x6400))
    cp += w(0xd9, 0x40) + r(0x3e, W2, True) + w(0x3e, 0x04, W2, True)
    for i in range(6):
        cp += rx(frame(MAC, 1000 if i % 2 else 60))
    cp += r(0x3e, W2, True) + w(0x3e, 0x53, W2, True) + ram(0x4000, desc(OWN | 1536, 0, 0x8000))
    cp += w(0x3c, 0x80ff, W2, True) + w(0x14, 0, W4) + w(0x10, 0x7000 | 8, W4) + r(0x10, W4)
    write('cplus', cp)


if __name__ == '__main__':
    main()
