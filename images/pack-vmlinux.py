#!/usr/bin/env python3
"""Writes vmlinux without the padding between its segments, for capsule to embed.

usage: images/pack-vmlinux.py VMLINUX OUT

A vmlinux aligns each loadable segment to 2 MiB in the file: 6 of its 16 MB
are zeros that nobody reads. capsule's loader (vmm/boot_elf.c) copies each
segment's file bytes to its physical address and needs nothing else, so this
keeps the ELF header, the program headers and those bytes, each segment at the
next 4 KiB boundary that keeps its offset congruent with its address; notes
inside a segment move with it; section headers go (a stripped file needs none).
"""
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_NOTE = 1, 4
PAGE = 4096


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    eh = list(EHDR.unpack_from(data, 0))
    ident, phoff, phentsize, phnum = eh[0], eh[5], eh[9], eh[10]
    if ident[:4] != b"\x7fELF" or ident[4] != 2 or phentsize != PHDR.size:
        sys.exit(f"pack-vmlinux: {src} is not a 64-bit ELF file")
    phdrs = [list(PHDR.unpack_from(data, phoff + i * PHDR.size)) for i in range(phnum)]
    out = bytearray(EHDR.size + phnum * PHDR.size)
    moved = []  # (old offset, old end, new offset) of each loadable segment
    for ph in phdrs:
        if ph[0] != PT_LOAD:
            continue
        offset, vaddr, filesz = ph[2], ph[3], ph[6]
        at = (len(out) + PAGE - 1) // PAGE * PAGE + vaddr % PAGE
        out += bytes(at - len(out)) + data[offset:offset + filesz]
        moved.append((offset, offset + filesz, at))
        ph[2] = at
    for ph in phdrs:
        if ph[0] == PT_LOAD:
            continue
        inside = [m for m in moved if m[0] <= ph[2] and ph[2] + ph[6] <= m[1]]
        if ph[0] == PT_NOTE and not inside:
            sys.exit(f"pack-vmlinux: a note of {src} lies in no loadable segment")
        ph[2] = inside[0][2] + ph[2] - inside[0][0] if inside else 0
    eh[5], eh[6], eh[12], eh[13] = EHDR.size, 0, 0, 0  # program headers first; no sections
    EHDR.pack_into(out, 0, *eh)
    for i, ph in enumerate(phdrs):
        PHDR.pack_into(out, EHDR.size + i * PHDR.size, *ph)
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
