#!/usr/bin/env python3
"""Writes the seed inputs of the e1000 transmit fuzz target (tests/fuzz/fuzz_e1000_tx.c).

usage: tests/fuzz/mkseeds_e1000.py   (rewrites tests/fuzz/corpus/e1000_tx/)
Op numbers follow enum op in the target; seeds are small well-formed guests.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OP_REG, OP_RAM, OP_DESC, OP_TDT, OP_READ, OP_RX, OP_PIO, OP_TIME = range(8)
CSUM, TSO4, TSO6 = 1, 2, 4
BUF = 0x8000
TDH, ICR, CTRL, ITR = 0x3810, 0xc0, 0x0, 0xc4
EOP, IFCS, TSE, RS, DEXT, VLE = 0x01, 0x02, 0x04, 0x08, 0x20, 0x40


def u8(v): return struct.pack('<B', v & 0xff)
def u16(v): return struct.pack('<H', v & 0xffff)
def u32(v): return struct.pack('<I', v & 0xffffffff)


def reg(off, val): return u8(OP_REG) + u16(off // 4) + u32(val)
def read(off): return u8(OP_READ) + u16(off // 4)
def tdt(v): return u8(OP_TDT) + u16(v)


def ram(at, data):
    out = b''
    for i in range(0, len(data), 252):
        chunk = data[i:i + 252]
        out += u8(OP_RAM) + u16((at + i) // 4) + u8(len(chunk)) + chunk
    return out


def desc(i, raw): return u8(OP_DESC) + u8(i) + raw


def legacy(i, addr, length, cmd, cso=0, css=0):
    return desc(i, struct.pack('<QHBBBBH', addr, length, cso, cmd, 0, css, 0))


def data(i, addr, length, cmd, popts):
    return desc(i, struct.pack('<QIBBH', addr, length | 1 << 20 | (cmd | DEXT) << 24, 0, popts, 0))


def context(i, ipcss, ipcso, ipcse, tucss, tucso, tucse, paylen, tucmd, hdr_len, mss):
    return desc(i, struct.pack('<BBHBBHIBBH', ipcss, ipcso, ipcse, tucss, tucso, tucse,
                               paylen | (tucmd | DEXT) << 24, 0, hdr_len, mss))


def tcp4(payload):
    eth = bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 1, 8, 0])
    ip = bytes([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2])
    tcp = bytes([0, 80, 0x30, 0x39, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0x12, 0x34, 0, 0])
    return eth + ip + tcp + bytes((i * 7) & 0xff for i in range(payload))


def time(n): return u8(OP_TIME) + u16(n)


def rx(length, fill, kind): return u8(OP_RX) + u16(length) + u8(fill) + u8(kind)


def seeds():
    frame = tcp4(100)
    yield 'legacy-one', u8(0) + u8(0) + ram(BUF, frame) + \
        legacy(0, BUF, len(frame), EOP | IFCS | RS) + tdt(1) + read(ICR)
    yield 'legacy-csum', u8(CSUM) + u8(0) + ram(BUF, frame) + \
        legacy(0, BUF, 60, IFCS, cso=50, css=34) + legacy(1, BUF + 60, len(frame) - 60, EOP | RS) + tdt(2)
    yield 'ctx-csum', u8(CSUM) + u8(0) + ram(BUF, frame) + \
        context(0, 14, 24, 33, 34, 50, 0, 0, 3, 0, 0) + data(1, BUF, len(frame), EOP | RS, 3) + tdt(2)
    yield 'ctx-csum-soft', u8(0) + u8(0) + ram(BUF, frame) + \
        context(0, 14, 24, 33, 34, 50, 0, 0, 3, 0, 0) + data(1, BUF, len(frame), EOP | RS, 3) + tdt(2)
    big = tcp4(1000)
    yield 'tso4', u8(CSUM | TSO4) + u8(0) + ram(BUF, big) + \
        context(0, 14, 24, 33, 34, 50, 0, 1000, 7, 54, 300) + data(1, BUF, 54, TSE, 3) + \
        data(2, BUF + 54, 500, TSE, 3) + data(3, BUF + 554, 500, TSE | EOP | RS, 3) + tdt(4)
    yield 'tso4-vlan', u8(CSUM | TSO4) + u8(0) + reg(CTRL, 0x40000040) + ram(BUF, big) + \
        context(0, 14, 24, 33, 34, 50, 0, 1000, 7, 54, 300) + \
        data(1, BUF, len(big), TSE | EOP | RS | VLE, 3) + tdt(2)
    yield 'wrap-full', u8(0) + u8(1) + reg(TDH, 30) + tdt(30) + ram(BUF, frame) + \
        b''.join(legacy(i % 32, BUF, len(frame), EOP | RS) for i in range(30, 36)) + tdt(4)
    yield 'rx-mixed', u8(0) + u8(0) + rx(60, 1, 0) + rx(1500, 2, 1) + rx(60, 3, 2) + read(ICR) + \
        reg(0x2818, 5) + rx(9000, 4, 0)
    yield 'itr', u8(0) + u8(0) + reg(ITR, 200) + ram(BUF, frame) + \
        legacy(0, BUF, len(frame), EOP | RS) + tdt(1) + read(ICR) + legacy(1, BUF, len(frame), EOP | RS) + \
        tdt(2) + time(100) + time(100) + read(ICR) + rx(60, 5, 1) + time(300)
    yield 'pio-eeprom', u8(0) + u8(0) + u8(OP_PIO) + u8(0) + u8(2) + u32(0x10) + u8(1) + \
        b''.join(u8(OP_PIO) + u8(4) + u8(2) + u32(v) + u8(1) for v in (0x42, 0x43, 0x46, 0x47, 0x42)) + \
        u8(OP_PIO) + u8(4) + u8(2) + u32(0) + u8(0)


def main():
    d = os.path.join(HERE, 'corpus', 'e1000_tx')
    os.makedirs(d, exist_ok=True)
    for name, blob in seeds():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(blob)


if __name__ == '__main__':
    main()
