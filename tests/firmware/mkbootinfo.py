#!/usr/bin/env python3
"""Splits a bzImage and writes a capsule boot-info block, as the monitor would, for QEMU's loader."""
import argparse
import os
import struct
import sys

# Mirrors vmm/abi/boot_info.h (boot-under-qemu.sh checks the size and offsets).
BOOT_INFO_MAGIC = 0x4F4F42454C555350
BOOT_INFO_VERSION = 2
BOOT_INFO_ADDR = 0x8000
BOOT_CMDLINE_ADDR = 0x20000
BOOT_KERNEL_ADDR = 0x100000
BOOT_LOWMEM_END = 0x9FC00
BOOT_E820_MAX = 8
BOOT_E820_RAM, BOOT_E820_RESERVED = 1, 2
SETUP_HEADER_OFFSET = 0x1F1
SETUP_HEADER_MAX = 0x290 - 0x1F1
HEADER_FMT = "<QIIQQIIQQIIII"         # magic .. flags, pad0: 72 bytes
E820_FMT = "<QQII"                    # addr, size, type, pad: 24 bytes
BOOT_INFO_SIZE = (struct.calcsize(HEADER_FMT) + BOOT_E820_MAX * struct.calcsize(E820_FMT)
                  + SETUP_HEADER_MAX + 1)
PAGE = 0x1000


def parse_bzimage(bz):
    """Returns (protected-mode part, setup header bytes, initrd_addr_max)."""
    if bz[0x202:0x206] != b"HdrS":
        sys.exit("mkbootinfo: not a bzImage (no HdrS at 0x202)")
    version = struct.unpack_from("<H", bz, 0x206)[0]
    if version < 0x20C or not bz[0x236] & 1:
        sys.exit("mkbootinfo: kernel has no 64-bit entry (boot protocol %#x)" % version)
    setup_sects = bz[0x1F1] or 4
    header_end = min(0x202 + bz[0x201], SETUP_HEADER_OFFSET + SETUP_HEADER_MAX)
    initrd_addr_max = struct.unpack_from("<I", bz, 0x22C)[0]
    return bz[(setup_sects + 1) * 512:], bz[SETUP_HEADER_OFFSET:header_end], initrd_addr_max


def e820(mem):
    return [(0, BOOT_LOWMEM_END, BOOT_E820_RAM),
            (BOOT_LOWMEM_END, BOOT_KERNEL_ADDR - BOOT_LOWMEM_END, BOOT_E820_RESERVED),
            (BOOT_KERNEL_ADDR, mem - BOOT_KERNEL_ADDR, BOOT_E820_RAM)]


def boot_info(args, cmdline, header, initrd_addr, initrd_size):
    magic = BOOT_INFO_MAGIC ^ (1 if args.corrupt_magic else 0)
    entries = e820(args.mem_mib << 20)
    out = struct.pack(HEADER_FMT, magic, BOOT_INFO_VERSION, BOOT_INFO_SIZE,
                      BOOT_KERNEL_ADDR + 0x200, BOOT_CMDLINE_ADDR, len(cmdline), args.ncpus,
                      initrd_addr, initrd_size, len(entries), len(header), 0, 0)
    for i in range(BOOT_E820_MAX):
        addr, size, kind = entries[i] if i < len(entries) else (0, 0, 0)
        out += struct.pack(E820_FMT, addr, size, kind, 0)
    out += header.ljust(SETUP_HEADER_MAX + 1, b"\0")
    assert len(out) == BOOT_INFO_SIZE
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kernel", required=True, help="bzImage")
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--cmdline", required=True)
    ap.add_argument("--mem-mib", type=int, default=256)
    ap.add_argument("--ncpus", type=int, default=1)
    ap.add_argument("--corrupt-magic", action="store_true", help="flip a bit of the magic")
    ap.add_argument("--outdir", required=True)
    args = ap.parse_args()

    with open(args.kernel, "rb") as f:
        kernel, header, initrd_addr_max = parse_bzimage(f.read())
    initrd_size = os.path.getsize(args.initrd)
    top = min(args.mem_mib << 20, initrd_addr_max + 1)
    initrd_addr = (top - initrd_size) & ~(PAGE - 1)   # as high as allowed, like the monitor
    cmdline = args.cmdline.encode()

    files = {"boot_info.bin": (boot_info(args, cmdline, header, initrd_addr, initrd_size),
                               BOOT_INFO_ADDR),
             "cmdline.bin": (cmdline + b"\0", BOOT_CMDLINE_ADDR),
             "kernel.bin": (kernel, BOOT_KERNEL_ADDR)}
    for name, (data, addr) in files.items():
        path = os.path.join(args.outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        print(path, hex(addr))
    print(args.initrd, hex(initrd_addr))   # "FILE ADDR" lines, one per QEMU loader device
    return 0


if __name__ == "__main__":
    sys.exit(main())
