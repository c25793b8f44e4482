/* The boot-info block: what the monitor tells the firmware about the guest. */
#ifndef CAPSULE_ABI_BOOT_INFO_H
#define CAPSULE_ABI_BOOT_INFO_H

/*
 * Shared by the monitor (writes it) and the firmware (reads it), so it uses
 * only fixed-width types and explicit padding. The monitor places it at
 * BOOT_INFO_ADDR before vCPU 0 leaves the reset vector.
 *
 * Guest-physical layout below 1 MiB, fixed by this ABI:
 *   0x01000-0x06fff  firmware page tables (identity map of the low 4 GiB)
 *   0x07000          Linux zero page (struct boot_params), written by firmware
 *   0x08000          this block, written by the monitor
 *   0x20000          kernel command line (NUL-terminated), written by the monitor
 *   0x70000-0x7ffff  firmware stack (grows down from 0x80000)
 *   0x9fc00-0x9ffff  MP table, written by firmware (e820: reserved)
 *   0xa0000-0xfffff  legacy VGA/BIOS hole (e820: reserved)
 *   0x100000         protected-mode kernel, loaded by the monitor
 */
#include <stdint.h>

#define BOOT_INFO_ADDR 0x8000u
#define BOOT_INFO_MAGIC 0x4f4f42454c555350ull /* "PSULEBOO" little-endian */
#define BOOT_INFO_VERSION 2u

/* boot_info.flags */
#define BOOT_INFO_MARK_KERNEL 1u /* write GUEST_MARK_KERNEL just before entering the kernel */

#define BOOT_PAGE_TABLES_ADDR 0x1000u
#define BOOT_ZERO_PAGE_ADDR 0x7000u
#define BOOT_CMDLINE_ADDR 0x20000u
#define BOOT_CMDLINE_MAX 0x10000u
#define BOOT_STACK_TOP 0x80000u
#define BOOT_MPTABLE_ADDR 0x9fc00u
#define BOOT_LOWMEM_END 0x9fc00u /* usable RAM below 1 MiB ends here */
#define BOOT_KERNEL_ADDR 0x100000u

/* The MP table must fit in the 1 KiB at BOOT_MPTABLE_ADDR. */
#define BOOT_MAX_CPUS 32

#define BOOT_E820_MAX 8
#define BOOT_E820_RAM 1
#define BOOT_E820_RESERVED 2

/* Linux's setup header lives at 0x1f1 of the bzImage and of the zero page. */
#define BOOT_SETUP_HEADER_OFFSET 0x1f1u
#define BOOT_SETUP_HEADER_MAX (0x290u - 0x1f1u)

#define BOOT_IOAPIC_ADDR 0xfec00000u
#define BOOT_LAPIC_ADDR 0xfee00000u

struct boot_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* BOOT_E820_RAM or BOOT_E820_RESERVED */
	uint32_t pad;
};

struct boot_info {
	uint64_t magic;		/* BOOT_INFO_MAGIC */
	uint32_t version;	/* BOOT_INFO_VERSION */
	uint32_t size;		/* sizeof(struct boot_info) */
	uint64_t kernel_entry;	/* 64-bit entry: kernel load address + 0x200 */
	uint64_t cmdline_addr;	/* BOOT_CMDLINE_ADDR */
	uint32_t cmdline_size;	/* bytes, without the NUL */
	uint32_t ncpus;		/* APIC IDs 0..ncpus-1; vCPU 0 is the BSP */
	uint64_t initrd_addr;	/* 0 when there is no initrd */
	uint64_t initrd_size;
	uint32_t e820_count;	/* entries used in e820[] */
	uint32_t setup_header_size; /* bytes used in setup_header[] */
	uint32_t flags;		/* BOOT_INFO_* */
	uint32_t pad0;
	struct boot_e820 e820[BOOT_E820_MAX];
	/* bzImage bytes from BOOT_SETUP_HEADER_OFFSET, copied into the zero page */
	uint8_t setup_header[BOOT_SETUP_HEADER_MAX];
	uint8_t pad[1];
};

#endif
