#!/bin/bash
# Boots a real Linux kernel through the capsule firmware under QEMU TCG, and checks the bad-block path.
#
# Usage: tests/firmware/boot-under-qemu.sh   (from anywhere; exits 0 on pass)
# Environment: KERNEL=bzImage to pick the kernel (default: our guest kernel
# from build.sh, else Debian's), OUT=dir for the build (default: out),
# NCPUS=n for the vCPU count (default: 2).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/firmware
cd "$top" || exit 1
OUT=${OUT:-out}
ncpus=${NCPUS:-2}
# No no_timer_check here, unlike under capsule: the MP table routes ISA IRQ0
# to I/O APIC pin 0 as KVM's in-kernel irqchip does, but QEMU's userspace
# I/O APIC moves IRQ0 to pin 2. Linux must test pin 0, find it silent
# ("MP-BIOS bug: 8254 timer not connected") and fall back to virtual wire;
# with no_timer_check it trusts pin 0 and hangs without a timer tick.
cmdline="console=ttyS0 reboot=k panic=-1"
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
die() { echo "FAIL: $*" >&2; exit 1; }

# ls -t: the newest build wins; these paths have no odd characters.
# shellcheck disable=SC2012
pick_kernel() {
	local k
	[ -n "${KERNEL:-}" ] && { echo "$KERNEL"; return; }
	k=$(ls -t /var/cache/capsule/kernel-*/bzImage 2>/dev/null | head -1)
	[ -n "$k" ] || k=$(ls -t /boot/vmlinuz-*-amd64 2>/dev/null | head -1)
	echo "$k"
}

# The python generator mirrors struct boot_info by hand: fail if the header moved.
check_abi_layout() {
	gcc -fsyntax-only -Ivmm/abi -x c - <<'C' || die "vmm/abi/boot_info.h no longer matches mkbootinfo.py"
#include <stddef.h>
#include "boot_info.h"
_Static_assert(sizeof(struct boot_info) == 424, "size");
_Static_assert(offsetof(struct boot_info, ncpus) == 36, "ncpus");
_Static_assert(offsetof(struct boot_info, setup_header_size) == 60, "setup_header_size");
_Static_assert(offsetof(struct boot_info, flags) == 64, "flags");
_Static_assert(offsetof(struct boot_info, e820) == 72, "e820");
_Static_assert(offsetof(struct boot_info, setup_header) == 264, "setup_header");
C
}

# Prints QEMU -device arguments placing the images that mkbootinfo.py made.
loader_args() {
	local file addr
	while read -r file addr; do
		printf -- '-device\nloader,file=%s,addr=%s,force-raw=on\n' "$file" "$addr"
	done
}

# run_qemu LOG SECONDS EXTRA-ARGS...: prints QEMU's exit status.
run_qemu() {
	local log=$1 secs=$2
	shift 2
	timeout "$secs" qemu-system-x86_64 -M pc -accel tcg -cpu max -m 256 -smp "$ncpus" \
		-bios "$OUT/firmware.bin" -nographic -no-reboot -nic none \
		-device isa-debug-exit,iobase=0x501,iosize=1 "$@" </dev/null >"$log" 2>&1
	echo $?
}

show_log() { echo "--- last lines of $1:" >&2; tail -n 25 "$1" | tr -d '\r' >&2; }

make -s -f firmware/firmware.mk "$OUT/firmware.bin" || die "firmware build failed"
check_abi_layout
kernel=$(pick_kernel)
[ -f "$kernel" ] || die "no kernel found (set KERNEL=path/to/bzImage)"
echo "kernel: $kernel"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
musl-gcc -static -Os -Wall -Wextra -o "$tmp/init" "$here/init.c" || die "cannot build init"
python3 "$here/mkcpio.py" "$tmp/init" "$tmp/initrd.cpio" || die "cannot build initrd"

# 1. Good block: Linux must reach our init, see both CPUs, and leave via port 0x501.
mkdir "$tmp/good"
mapfile -t args < <(python3 "$here/mkbootinfo.py" --kernel "$kernel" --initrd "$tmp/initrd.cpio" \
	--cmdline "$cmdline" --ncpus "$ncpus" --outdir "$tmp/good" | loader_args)
[ ${#args[@]} -eq 8 ] || die "mkbootinfo.py failed"
start=$(date +%s)
rc=$(run_qemu "$tmp/good.log" 120 "${args[@]}")
echo "boot: QEMU exit status $rc after $(($(date +%s) - start)) s"
grep -a "FIRMWARE-OK" "$tmp/good.log" | tr -d '\r'
grep -aq "found SMP MP-table at \[mem 0x0009fc00" "$tmp/good.log" || fail "Linux did not find our MP table"
grep -aq "FIRMWARE-OK ncpus=$ncpus" "$tmp/good.log" || fail "init did not report ncpus=$ncpus"
[ "$rc" = 1 ] || fail "QEMU exit status $rc, want 1 (init's outb(0x501, 0))"
[ $failures -eq 0 ] || show_log "$tmp/good.log"

# 2. Bad blocks: one line on COM1, then outb(GUEST_PORT_FAIL, 1) -> status 3, and no kernel.
# bad_block NAME WANT-MESSAGE MKBOOTINFO-ARGS...
bad_block() {
	local name=$1 want=$2 rc
	shift 2
	mkdir "$tmp/$name"
	mapfile -t args < <(python3 "$here/mkbootinfo.py" --kernel "$kernel" --initrd "$tmp/initrd.cpio" \
		--cmdline "$cmdline" --outdir "$tmp/$name" "$@" | loader_args)
	rc=$(run_qemu "$tmp/$name.log" 30 "${args[@]}" -device isa-debug-exit,iobase=0x503,iosize=1)
	echo "$name: QEMU exit status $rc"
	grep -a "capsule firmware" "$tmp/$name.log" | tr -d '\r'
	grep -aq "capsule firmware: bad boot-info block: $want" "$tmp/$name.log" ||
		{ fail "$name: no '$want' line on the console"; show_log "$tmp/$name.log"; }
	[ "$rc" = 3 ] || fail "$name: QEMU exit status $rc, want 3 (outb(0x503, GUEST_FAIL_BOOT_INFO))"
	! grep -aq "Linux version" "$tmp/$name.log" || fail "$name: the kernel ran despite a bad block"
}
bad_block bad-magic "bad magic" --ncpus "$ncpus" --corrupt-magic
bad_block too-many-cpus "ncpus out of range" --ncpus 33

[ $failures -eq 0 ] || { echo "boot-under-qemu: $failures failure(s)" >&2; exit 1; }
echo "boot-under-qemu: PASS"
