/* What boot.c and boot_elf.c share: the facts about a kernel image that loading it needs. */
#ifndef CAPSULE_BOOT_IMPL_H
#define CAPSULE_BOOT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "abi/boot_info.h"
#include "boot.h"

/* What boot_load needs to know from the kernel image, after checking it. */
struct kernel_info {
	size_t pm_offset;	/* bzImage: protected-mode code starts here in the file */
	size_t header_size;	/* bytes of setup header (bzImage's, or made up for an ELF) */
	uint8_t header[BOOT_SETUP_HEADER_MAX];
	uint64_t entry;		/* guest-physical 64-bit entry point */
	uint64_t end;		/* highest address the kernel uses while booting */
	uint32_t initrd_addr_max;
	uint32_t cmdline_max;
	bool elf;		/* an uncompressed vmlinux: its segments are loaded as they say */
	const uint8_t *phdrs;	/* ELF: its program headers, checked to lie in the file */
	unsigned nphdrs;
};

/* An ELF file (vmlinux) rather than a bzImage. */
bool boot_elf_is(const struct boot_payload *p);

/*
 * Check P's ELF kernel (64-bit x86, executable, every loadable segment
 * inside the file and at or above 1 MiB, the entry inside one) and fill KI.
 * Returns 0, or -1 with ERR saying "kernel: ...".
 */
int boot_elf_parse(const struct boot_payload *p, struct kernel_info *ki, char *err, size_t n);

/* Copy the ELF kernel KI describes to guest RAM, its segments' zero-filled tails cleared. */
void boot_elf_load(const struct guest_mem *gm, const struct boot_payload *p,
		   const struct kernel_info *ki);

#endif
