#!/usr/bin/env python3
"""Writes the seed inputs of the virtqueue, virtio-blk, virtio-net and virtio-balloon fuzz targets.

usage: tests/fuzz/mkseeds.py   (from anywhere; rewrites tests/fuzz/corpus/{virtqueue,virtio_blk,virtio_net,virtio_balloon}/)
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


# ---- virtio-blk: disk, then a script (tests/fuzz/fuzz_virtio_blk.c, fuzz_guest.h) ----
(BLK_UP, BLK_REQ, BLK_KICK, BLK_KICK_RESET, G_WRITE, G_BUMP, G_REG, G_CONFIG, G_USED) = range(9)
F_V1, F_INDIRECT, F_EVENT_IDX = 1 << 32, 1 << 28, 1 << 29
BLK_FEATURES = F_V1 | F_INDIRECT | F_EVENT_IDX | (1 << 2) | (1 << 6) | (1 << 9) | (1 << 13) | (1 << 14)
T_IN, T_OUT, T_FLUSH, T_GET_ID, T_DISCARD, T_WZ, T_SECURE_ERASE, T_RAW = range(8)
S_INDIRECT, S_SPLIT, S_SHORT, S_FLIP, S_NO_STATUS, S_EMPTY_STATUS, S_BIG_STATUS, S_TRAILER = \
    (1 << i for i in range(8))


def sectors(n): return u16(n)          # a data segment of N whole sectors
def nbytes(n): return u16(0x8000 | n)  # a data segment of N bytes


def layout(rings):
    """OP_UP's layout: None for the usual one, else (desc, avail, used) offsets."""
    return u8(0) if rings is None else u8(1) + b''.join(u16(r) for r in rings)


def blk_up(features=BLK_FEATURES, log2size=6, rings=None):
    return u8(BLK_UP) + u64(features) + u8(log2size) + layout(rings)


def blk_req(t, sector=0, shape=0, segs=(), payload=bytes(16), raw_type=None):
    b = u8(BLK_REQ) + u8(t) + (u32(raw_type) if t == T_RAW else b'') + u64(sector) + u8(shape)
    # More than 8 segments are all as long as the first: one length in the input.
    return b + u8(len(segs)) + (segs[0] if len(segs) > 8 else b''.join(segs)) + payload


def discard_payload(sector, count, flags=0):
    return u64(sector) + u32(count) + u32(flags)


def blk_input(script, sectors_=64, readonly=False, fail=0):
    return u8((1 if readonly else 0) | fail << 1) + u8(sectors_) + script


def blk_seeds():
    every = (blk_req(T_OUT, 0, 0, [sectors(4)]) + blk_req(T_IN, 0, 0, [sectors(2), sectors(2)]) +
             blk_req(T_FLUSH) + blk_req(T_GET_ID, 0, 0, [nbytes(20)]) +
             blk_req(T_DISCARD, 0, 0, [nbytes(16)], discard_payload(8, 8)) +
             blk_req(T_WZ, 0, 0, [nbytes(16)], discard_payload(16, 8, 1)) +
             blk_req(T_SECURE_ERASE, 0, 0, [nbytes(16)]) + blk_req(T_RAW, 0, 0, [], raw_type=0x1234))
    write('virtio_blk', 'every-type', blk_input(blk_up() + every + u8(BLK_KICK) + u8(G_USED) + u8(0)))
    shapes = (blk_req(T_IN, 4, S_INDIRECT | S_SPLIT, [sectors(1)] * 3) +
              blk_req(T_OUT, 63, S_BIG_STATUS, [sectors(1)]) +
              blk_req(T_OUT, 64, 0, [sectors(1)]) +
              blk_req(T_IN, 0, S_NO_STATUS, [sectors(1)]) +
              blk_req(T_IN, 0, S_SHORT, [sectors(1)]) +
              blk_req(T_IN, 0, 0, [sectors(1)] * 100))
    write('virtio_blk', 'chain-shapes',
          blk_input(blk_up(BLK_FEATURES, 8) + shapes + u8(BLK_KICK) + u8(G_CONFIG) + u8(0) + u8(3)))
    write('virtio_blk', 'readonly-failing',
          blk_input(blk_up(BLK_FEATURES | 1 << 5) + every + u8(BLK_KICK), 16, True, 0x1f))
    write('virtio_blk', 'malformed-then-reset',
          blk_input(blk_up() + blk_req(T_OUT, 0, S_TRAILER, [sectors(1)]) + u8(BLK_KICK) +
                    blk_up() + blk_req(T_IN, 0, 0, [sectors(8)] * 4) + u8(BLK_KICK_RESET) +
                    blk_up(F_V1, 2) + blk_req(T_IN, 0, S_INDIRECT, [sectors(1)]) + u8(BLK_KICK)))


# ---- virtio-net: backend, then a script (tests/fuzz/fuzz_virtio_net.c, fuzz_guest.h) ----
(NET_UP, NET_TX, NET_RX, NET_CTRL, NET_KICK, NET_FRAMES, NET_BACKEND, NG_WRITE, NG_BUMP, NG_REG,
 NG_CONFIG, NG_USED, NET_WRITABLE) = range(13)
NF = dict(CSUM=0, GUEST_CSUM=1, CTRL_GUEST_OFFLOADS=2, MTU=3, MAC=5, GUEST_TSO4=7, GUEST_TSO6=8,
          GUEST_ECN=9, GUEST_UFO=10, HOST_TSO4=11, HOST_TSO6=12, MRG_RXBUF=15, STATUS=16,
          CTRL_VQ=17, MQ=22)
N_INDIRECT, N_FLIP_FIRST, N_FLIP_LAST, N_SPLIT, N_NO_ACK, N_EMPTY_ACK = (1 << i for i in range(6))
OFFLOADS_ALL = 31


def nf(*names):
    return sum(1 << NF[n] for n in names)


def net_input(script, pairs=1, offloads=OFFLOADS_ALL, mtu=1500):
    return u8((pairs - 1) | offloads << 3) + u16(mtu) + script


def net_up(features, log2size=6, skip=0, rings=None):
    return u8(NET_UP) + u64(features) + u8(log2size) + u8(skip) + layout(rings)


def net_segs(lens):
    # More than 8 segments are all as long as the first: one length in the input.
    return u8(len(lens)) + (u16(lens[0]) if len(lens) > 8 else b''.join(u16(n) for n in lens))


def net_tx(lens, pair=0, shape=0):
    return u8(NET_TX) + u8(pair) + net_segs(lens) + u8(shape)


def net_rx(lens, pair=0, shape=0):
    return u8(NET_RX) + u8(pair) + net_segs(lens) + u8(shape)


def net_ctrl(cls, cmd, data=b'', shape=0):
    return u8(NET_CTRL) + u8(cls) + u8(cmd) + u8(len(data)) + data + u8(shape)


def net_frames(lens, pair=0):
    return u8(NET_FRAMES) + u8(pair) + u8(len(lens)) + b''.join(u16(n) for n in lens)


def net_kick(q): return u8(NET_KICK) + u8(q)


def net_seeds():
    base = F_V1 | F_EVENT_IDX | F_INDIRECT | nf('MAC', 'STATUS', 'MTU', 'CTRL_VQ')
    # Frames of every shape, each kicked alone; the last has more buffers than a chain may.
    tx = b''.join(t + net_kick(1) for t in (
        net_tx([1526]), net_tx([12, 50, 1000]), net_tx([8]), net_tx([12, 100], 0, N_FLIP_LAST),
        net_tx([12, 1500], 0, N_INDIRECT), net_tx([0x8000 | 16400]), net_tx([100] * 66)))
    write('virtio_net', 'tx', net_input(net_up(base | nf('CSUM', 'HOST_TSO4'), 8) + tx +
                                        u8(NG_USED) + u8(1)))
    ctrl = b''.join(c + net_kick(8) for c in (
        net_ctrl(4, 0, u16(2)), net_ctrl(5, 0, u64(nf('GUEST_CSUM'))), net_ctrl(4, 0, u16(9)),
        net_ctrl(9, 9), net_ctrl(5, 0, u64(1), N_NO_ACK), net_ctrl(5, 0, bytes(70))))
    write('virtio_net', 'ctrl-mq', net_input(
        net_up(base | nf('MQ', 'CSUM', 'GUEST_CSUM', 'CTRL_GUEST_OFFLOADS', 'GUEST_TSO4')) + ctrl +
        net_tx([100], 1) + net_kick(3) + net_rx([1526], 1) + net_kick(2) + net_frames([100], 1) +
        net_ctrl(4, 0, u16(1), N_SPLIT | N_INDIRECT) + net_kick(8) + u8(NG_USED) + u8(8), 4))
    rx = net_rx([1526]) * 4 + net_rx([100, 1426], 0, N_INDIRECT) + net_rx([8]) + \
        net_rx([100], 0, N_FLIP_FIRST)
    write('virtio_net', 'rx-mergeable', net_input(
        net_up(base | nf('MRG_RXBUF', 'GUEST_CSUM'), 8) + rx + net_kick(0) +
        net_frames([60, 1526, 4000, 8]) + net_rx([1526] * 10) + net_kick(0) +
        net_frames([0x8000 | 10000]) + u8(NG_USED) + u8(0)))
    write('virtio_net', 'rx-tso', net_input(
        net_up(base | nf('MRG_RXBUF', 'GUEST_CSUM', 'GUEST_TSO4'), 8) + net_rx([0x8000 | 16400]) +
        net_rx([1526]) * 4 + net_kick(0) + net_frames([0x8000 | 16000, 1526, 1526, 3000])))
    write('virtio_net', 'rx-small-buffers', net_input(
        net_up(base) + rx + net_kick(0) + net_frames([60, 1526, 4000, 8]) + u8(NG_USED) + u8(0),
        2, 0, 9000))
    write('virtio_net', 'misbehaving-backend', net_input(
        u8(NET_BACKEND) + u8(0x12) + u16(0) + net_up(base | nf('GUEST_CSUM')) +
        u8(NET_BACKEND) + u8(0x0a) + u16(1526) + net_up(base | nf('MRG_RXBUF')) +
        net_rx([1526]) * 20 + net_tx([100]) + net_kick(1) + net_kick(0) +
        u8(NET_BACKEND) + u8(0x04) + u16(0) + net_rx([1526]) + net_kick(0)))
    # A full backend holds the frames back until it has room; a reset or fewer pairs meanwhile.
    full, ok = u8(NET_BACKEND) + u8(0x01) + u16(0), u8(NET_BACKEND) + u8(0) + u16(0)
    write('virtio_net', 'backend-full', net_input(
        net_up(base | nf('MQ')) + net_ctrl(4, 0, u16(2)) + net_kick(4) + full +
        net_tx([100]) + net_tx([200]) + net_kick(1) + net_tx([300], 1) + net_kick(3) +
        u8(NET_WRITABLE) + u8(0) + u8(0) + ok + u8(NET_WRITABLE) + u8(0) + u8(0) +
        net_ctrl(4, 0, u16(1)) + net_kick(4) + u8(NET_WRITABLE) + u8(1) + u8(1) + full +
        net_tx([100]) + net_kick(1) + net_up(base) + u8(NET_WRITABLE) + u8(0) + u8(0), 2))
    write('virtio_net', 'negotiation', net_input(
        net_up(nf('MAC')) + net_up(base, 6, 3) + net_up(base | nf('MQ'), 9) +
        u8(NG_CONFIG) + u8(0) + u8(3) + u8(NG_CONFIG) + u8(6) + u8(1) + u8(NG_CONFIG) + u8(8) + u8(1) +
        u8(NG_REG) + u8(0x70 // 4) + u32(0x0f), 3, 1, 40))


# ---- virtio-balloon: options, then a script (tests/fuzz/fuzz_virtio_balloon.c, fuzz_guest.h) ----
(B_UP, B_PFNS, B_STATS, B_REPORT, B_KICK, B_REQUEST, B_TARGET, B_INFO, B_RESET, B_CFG_WRITE,
 BG_WRITE, BG_BUMP, BG_REG, BG_CONFIG, BG_USED, BG_READ_REG) = range(16)
BF = dict(STATS_VQ=1 << 1, DEFLATE_ON_OOM=1 << 2, REPORTING=1 << 5)
B_ALL = F_V1 | F_EVENT_IDX | BF['STATS_VQ'] | BF['DEFLATE_ON_OOM'] | BF['REPORTING']
BS_INDIRECT, BS_SPLIT, BS_RAGGED, BS_WRITABLE, BS_HUGE, BS_TRAILER = (1 << i for i in range(6))
NO_QUEUE = 0x80


def b_input(script, stats=True, oom=True, reporting=True):
    return u8((0 if stats else 1) | (2 if oom else 0) | (4 if reporting else 0)) + script


def b_up(features=B_ALL, sizes=(6, 6, 6, 6), rings=None):
    return u8(B_UP) + u64(features) + b''.join(u8(n) for n in sizes) + layout(rings)


def b_pfn(p):
    return u8(p) if p < 0xf0 else u8(0xff) + u32(p)


def b_pfns(q, pfns, shape=0):
    return u8(B_PFNS) + u8(q) + u8(len(pfns)) + b''.join(b_pfn(p) for p in pfns) + u8(shape)


def b_stats(q, entries, shape=0):
    return u8(B_STATS) + u8(q) + u8(len(entries)) + \
        b''.join(u64(v) + u8(t) for t, v in entries) + u8(shape)


def b_report(q, segs, indirect=0):
    """SEGS: (page, length) pairs; a page with bit 15 set is a byte address instead."""
    return u8(B_REPORT) + u8(q) + u8(len(segs)) + b''.join(u16(p) + u16(n) for p, n in segs) + \
        u8(indirect)


def b_kick(q): return u8(B_KICK) + u8(q)


def b_cfg_write(off, log2len, v): return u8(B_CFG_WRITE) + u8(off) + u8(log2len) + u64(v)


def balloon_seeds():
    write('virtio_balloon', 'inflate-deflate', b_input(
        b_up() + b_pfns(0, [40, 41, 42, 50, 0x12345678]) + b_kick(0) +
        b_pfns(1, [41, 41, 99]) + b_kick(1) + u8(B_INFO) +
        b_pfns(0, [40, 43, 0xffffffff], BS_SPLIT | BS_RAGGED) + b_kick(0) +
        b_pfns(0, [44], BS_HUGE) + b_pfns(1, [45], BS_WRITABLE | BS_TRAILER) + b_kick(0) +
        b_kick(1) + u8(BG_USED) + u8(0) + u8(B_INFO)))
    write('virtio_balloon', 'stats', b_input(
        b_up() + b_stats(2, [(4, 1 << 27), (5, 1 << 28), (12, 7), (4, 1)]) + b_kick(2) +
        u8(B_REQUEST) + u8(B_REQUEST) + b_stats(2, [(0, 1)], BS_RAGGED) + b_kick(2) +
        b_stats(2, [(6, 5)] * 40) + b_kick(2) + u8(B_INFO) + u8(B_TARGET) + u32(32) +
        u8(BG_CONFIG) + u8(0) + u8(2) + b_cfg_write(4, 2, 32) + b_cfg_write(0, 3, 1 << 40) +
        u8(B_INFO)))
    write('virtio_balloon', 'report', b_input(
        b_up() + b_report(3, [(40, 8192), (41, 4096), (0x8000 | 0x2a001, 5000)]) + b_kick(3) +
        u8(B_INFO) + b_report(3, [(50, 4096)] * 70) + b_kick(3) + u8(B_INFO)))
    write('virtio_balloon', 'no-stats-queue', b_input(
        b_up(B_ALL, (6, 6, 5, NO_QUEUE)) + b_report(2, [(40, 4096)]) + b_kick(2) +
        b_stats(3, [(4, 1)]) + b_kick(3) + u8(B_REQUEST) + u8(B_INFO), stats=False, oom=False))
    write('virtio_balloon', 'reset-midway', b_input(
        b_up() + b_pfns(0, [40, 41]) + b_stats(2, [(5, 1)]) + b_kick(0) + b_kick(2) +
        u8(B_TARGET) + u32(16) + u8(B_RESET) + u8(B_REQUEST) + b_up(F_V1 | BF['REPORTING'], (3, 3, 6, 0)) +
        b_pfns(0, [40, 41]) + b_kick(0) + u8(B_INFO) + b_pfns(0, [40]) + u8(B_RESET) + b_kick(0)))


if __name__ == '__main__':
    vq_seeds()
    blk_seeds()
    net_seeds()
    balloon_seeds()
