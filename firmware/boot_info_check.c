/* Validation of the boot-info block: every later step may then trust its fields. */
#include <stddef.h>
#include "boot_info_check.h"
#include "mptable.h"
#include "phys.h"
#include "string.h"

#define FOUR_GIB 0x100000000ull

/* "HdrS" at 0x202 marks a Linux setup header (boot protocol 2.00 and later). */
#define HDR_MAGIC_OFFSET (0x202 - BOOT_SETUP_HEADER_OFFSET)
#define HDR_MIN_SIZE (HDR_MAGIC_OFFSET + 4)

static const char *check_header(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC)
		return "bad magic";
	if (bi->version != BOOT_INFO_VERSION)
		return "unsupported version";
	if (bi->size != sizeof(*bi))
		return "wrong size";
	return NULL;
}

static const char *check_counts(const struct boot_info *bi)
{
	if (bi->ncpus < 1 || bi->ncpus > MPTABLE_MAX_CPUS)
		return "ncpus out of range";
	if (bi->e820_count < 1 || bi->e820_count > BOOT_E820_MAX)
		return "e820_count out of range";
	if (bi->setup_header_size < HDR_MIN_SIZE ||
	    bi->setup_header_size > BOOT_SETUP_HEADER_MAX)
		return "setup_header_size out of range";
	if (memcmp(bi->setup_header + HDR_MAGIC_OFFSET, "HdrS", 4) != 0)
		return "no Linux setup header";
	return NULL;
}

/* Only the low 4 GiB is mapped, and the firmware reads the command line itself. */
static const char *check_addresses(const struct boot_info *bi)
{
	const char *cmdline;

	if (!bi->kernel_entry || bi->kernel_entry >= FOUR_GIB)
		return "kernel_entry outside the low 4 GiB";
	/* Each term bounded before the sum, so the sum cannot wrap. */
	if (!bi->cmdline_addr || bi->cmdline_addr >= FOUR_GIB ||
	    bi->cmdline_size >= BOOT_CMDLINE_MAX ||
	    bi->cmdline_addr + bi->cmdline_size >= FOUR_GIB)
		return "command line outside the low 4 GiB";
	cmdline = phys_ptr(bi->cmdline_addr);
	if (cmdline[bi->cmdline_size] != '\0')
		return "command line not NUL-terminated at cmdline_size";
	if (!bi->initrd_addr != !bi->initrd_size ||
	    bi->initrd_addr + bi->initrd_size < bi->initrd_addr)
		return "bad initrd range";
	return NULL;
}

const char *boot_info_check(const struct boot_info *bi)
{
	const char *why;

	if ((why = check_header(bi)) || (why = check_counts(bi)))
		return why;
	return check_addresses(bi);
}
