/* Loads the kernel, initrd and command line into guest RAM and writes the boot-info block. */
#ifndef CAPSULE_BOOT_H
#define CAPSULE_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

struct boot_payload {
	const uint8_t *kernel;	/* a bzImage */
	size_t kernel_size;
	const uint8_t *initrd;	/* NULL for none */
	size_t initrd_size;
	const char *cmdline;
	unsigned ncpus;
	bool mark_kernel;	/* the firmware marks kernel entry (GUEST_MARK_KERNEL) */
	/*
	 * Appended to the initrd at the next 4-byte boundary (NULL for none): a
	 * cpio archive of its own, which Linux unpacks after the initrd's.
	 */
	const uint8_t *initrd_extra;
	size_t initrd_extra_size;
};

/*
 * Check the bzImage, copy its protected-mode part to BOOT_KERNEL_ADDR, the
 * initrd to the top of low RAM, the command line to BOOT_CMDLINE_ADDR, and
 * write the boot-info block the firmware reads. Returns 0, or -1 with ERR
 * saying what is wrong ("kernel: ..." / "initrd: ..." / "command line: ...").
 * No KVM involved: unit tests call it on heap-backed guest memory.
 */
int boot_load(const struct guest_mem *gm, const struct boot_payload *p, char *err, size_t errlen);

#endif
