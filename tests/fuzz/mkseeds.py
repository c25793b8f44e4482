#!/usr/bin/env python3
"""Writes the seed inputs of the virtqueue, virtio-blk and virtio-net fuzz targets.

usage: tests/fuzz/mkseeds.py   (from anywhere; rewrites tests/fuzz/corpus/{virtqueue,virtio_blk,virtio_net})
Each input format is described at the top of its target, tests/fuzz/fuzz_NAME.c;
the op numbers here follow the enums there. Seeds are small, well-formed
starting points: libFuzzer finds the malformed variants itself.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
NEXT, WRITE, INDIRECT = 1, 2, 4


def u8(v): return struct.pack('<B', v & 0xff)
def u16(v): return struct.pack('<H', v & 0xffff)
def u32(v): return struct.pack('<I', v & 0xffffffff)
def u64(v): return struct.pack('<Q', v & 0xffffffffffffffff)


def desc(addr, length, flags=0, nxt=0):
    return struct.pack('<QIHH', addr, length, flags, nxt)


class Ram:
    """Guest RAM from address 0, as long as the highest byte written."""
    def __init__(self):
        self.b = bytearray()

    def put(self, at, data):
        if len(self.b) < at + len(data):
            self.b.extend(bytes(at + len(data) - len(self.b)))
        self.b[at:at + len(data)] = data


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# ---- virtqueue: header, script, RAM image (tests/fuzz/fuzz_virtqueue.c) ----
(VQ_POP, VQ_PUSH, VQ_PUSH_ALL, VQ_UNPOP, VQ_DISABLE, VQ_ENABLE, VQ_SHOULD, VQ_WRITE, VQ_ADD,
 VQ_LOOP, VQ_RESET) = range(11)
VQ_DESC, VQ_AVAIL, VQ_USED = 0x0, 0x400, 0x800


def vq_input(log2size, indirect, event_idx, script, ram, iov_cap=16):
    b = log2size | (0x10 if indirect else 0) | (0x20 if event_idx else 0)
    head = u8(b) + u64(VQ_DESC) + u64(VQ_AVAIL) + u64(VQ_USED) + u8(iov_cap)
    return head + u16(len(script)) + script + bytes(ram.b)


def vq_avail(ram, heads):
    ram.put(VQ_AVAIL, u16(0) + u16(len(heads)) + b''.join(u16(h) for h in heads))


def vq_seeds():
    # Two chains: header + data + status, and one writable buffer.
    r = Ram()
    r.put(VQ_DESC, desc(0x1000, 16, NEXT, 1) + desc(0x1010, 512, NEXT | WRITE, 2) +
          desc(0x1210, 1, WRITE) + desc(0x1300, 64, WRITE))
    vq_avail(r, [0, 3])
    s = u8(VQ_POP) + u8(0) + u8(VQ_UNPOP) + u8(VQ_POP) + u8(7) + u8(VQ_PUSH) + u8(0) + u8(0) + \
        u8(VQ_SHOULD) + u8(VQ_PUSH_ALL) + u8(VQ_SHOULD) + u8(VQ_ENABLE)
    write('virtqueue', 'two-chains', vq_input(3, False, False, s, r))
    # An indirect table of three, with event-idx: notification control around the pops.
    r = Ram()
    r.put(VQ_DESC, desc(0xc00, 48, INDIRECT))
    r.put(0xc00, desc(0x1000, 16, NEXT, 1) + desc(0x1100, 256, NEXT, 2) + desc(0x1200, 1, WRITE))
    vq_avail(r, [0])
    s = u8(VQ_DISABLE) + u8(VQ_POP) + u8(3) + u8(VQ_ENABLE) + u8(VQ_PUSH) + u8(0) + u8(2) + \
        u8(VQ_SHOULD) + u8(VQ_ADD) + u8(1) + u16(0) + u8(VQ_LOOP) + u8(VQ_SHOULD)
    write('virtqueue', 'indirect-event-idx', vq_input(4, True, True, s, r))
    # A chain that loops back on itself: -ELOOP, then every pop fails the same way.
    r = Ram()
    r.put(VQ_DESC, desc(0x1000, 8, NEXT, 1) + desc(0x1008, 8, NEXT, 0))
    vq_avail(r, [0])
    s = u8(VQ_POP) + u8(1) + u8(VQ_ENABLE) + u8(VQ_RESET) + u8(VQ_LOOP)
    write('virtqueue', 'loop', vq_input(2, False, False, s, r))
    # The guest adds chains as the device runs, and rewrites a descriptor meanwhile.
    r = Ram()
    r.put(VQ_DESC, desc(0x1000, 100) + desc(0x1100, 200, WRITE))
    vq_avail(r, [])
    s = u8(VQ_ADD) + u8(2) + u16(0) + u16(1) + u8(VQ_LOOP) + \
        u8(VQ_WRITE) + u16(VQ_DESC + 8) + u8(4) + u32(0x7000) + \
        u8(VQ_ADD) + u8(1) + u16(0) + u8(VQ_POP) + u8(4) + u8(VQ_PUSH_ALL) + u8(VQ_SHOULD)
    write('virtqueue', 'guest-adds', vq_input(1, False, True, s, r))


if __name__ == '__main__':
    vq_seeds()
