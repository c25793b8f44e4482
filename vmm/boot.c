/* Loads the kernel (a bzImage, or a vmlinux: boot_elf.c), initrd and command line into guest RAM and writes the boot-info block. */
#include "boot.h"

#include <stdio.h>
#include <string.h>

#include "abi/boot_info.h"
#include "boot_impl.h"

/* Offsets into the bzImage's setup header (Documentation/x86/boot.rst). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_LOADFLAGS 0x211
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END_MIN 0x268

#define HDR_MAGIC_VALUE 0x53726448u /* "HdrS" */
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define PAGE_MASK 0xfffull

static uint32_t get_le(const uint8_t *p, unsigned bytes)
{
	uint32_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le(p, 4) | (uint64_t)get_le(p + 4, 4) << 32;
}

static int parse_bzimage(const struct boot_payload *p, struct kernel_info *ki, char *err,
			 size_t n)
{
	const uint8_t *k = p->kernel;
	unsigned sects;
	uint64_t pref;

	memset(ki, 0, sizeof(*ki));
	if (p->kernel_size < 0x1000 || get_le(k + HDR_MAGIC, 4) != HDR_MAGIC_VALUE) {
		snprintf(err, n, "kernel: neither a bzImage (no HdrS header) nor an ELF vmlinux");
		return -1;
	}
	if (get_le(k + HDR_VERSION, 2) < 0x020c || !(get_le(k + HDR_XLOADFLAGS, 2) & XLF_KERNEL_64)) {
		snprintf(err, n, "kernel: boot protocol 2.12 with a 64-bit entry point needed");
		return -1;
	}
	if (!(k[HDR_LOADFLAGS] & LOADED_HIGH)) {
		snprintf(err, n, "kernel: zImage (loaded low) not supported");
		return -1;
	}
	sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	ki->pm_offset = (size_t)(sects + 1) * 512;
	if (ki->pm_offset >= p->kernel_size) {
		snprintf(err, n, "kernel: truncated (setup sectors run past the end)");
		return -1;
	}
	ki->header_size = (size_t)HDR_MAGIC + k[HDR_JUMP + 1] - HDR_SETUP_SECTS;
	if (ki->header_size < HDR_END_MIN - HDR_SETUP_SECTS)
		ki->header_size = HDR_END_MIN - HDR_SETUP_SECTS;
	if (ki->header_size > BOOT_SETUP_HEADER_MAX)
		ki->header_size = BOOT_SETUP_HEADER_MAX;
	memcpy(ki->header, k + HDR_SETUP_SECTS, ki->header_size);
	ki->entry = BOOT_KERNEL_ADDR + 0x200;	/* the decompressor's startup_64 */
	/* The decompressor moves the kernel up to pref_address and needs init_size there. */
	pref = get_le64(k + HDR_PREF_ADDRESS);
	ki->end = (pref > BOOT_KERNEL_ADDR ? pref : BOOT_KERNEL_ADDR) + get_le(k + HDR_INIT_SIZE, 4);
	if (ki->end < BOOT_KERNEL_ADDR + (p->kernel_size - ki->pm_offset))
		ki->end = BOOT_KERNEL_ADDR + (p->kernel_size - ki->pm_offset);
	ki->initrd_addr_max = get_le(k + HDR_INITRD_ADDR_MAX, 4);
	ki->cmdline_max = get_le(k + HDR_CMDLINE_SIZE, 4);
	return 0;
}

/*
 * Put the initrd, and the extra archive after it, as high as the kernel
 * allows, page aligned; returns the address (0 on failure) and the size of both in *SIZE.
 */
static uint64_t place_initrd(const struct guest_mem *gm, const struct boot_payload *p,
			     const struct kernel_info *ki, uint64_t *size, char *err, size_t n)
{
	static const uint8_t zeros[4];
	uint64_t top = guest_mem_low_end(gm), addr, first = (p->initrd_size + 3) & ~3ull;

	*size = first + p->initrd_extra_size;
	if ((uint64_t)ki->initrd_addr_max + 1 < top)
		top = (uint64_t)ki->initrd_addr_max + 1;
	if (*size > top || ((top - *size) & ~PAGE_MASK) < ki->end) {
		snprintf(err, n, "initrd: %llu bytes do not fit in guest memory beside the kernel "
			 "(give the VM more memory)", (unsigned long long)*size);
		return 0;
	}
	addr = (top - *size) & ~PAGE_MASK;
	if (p->initrd_size)
		guest_mem_write(gm, addr, p->initrd, p->initrd_size);
	/* Zeros between archives are skipped by Linux's unpacker, which wants each at a 4-byte boundary. */
	guest_mem_write(gm, addr + p->initrd_size, zeros, first - p->initrd_size);
	if (p->initrd_extra_size)
		guest_mem_write(gm, addr + first, p->initrd_extra, p->initrd_extra_size);
	return addr;
}

static void add_e820(struct boot_info *bi, uint64_t addr, uint64_t size, uint32_t type)
{
	if (size && bi->e820_count < BOOT_E820_MAX)
		bi->e820[bi->e820_count++] = (struct boot_e820){ addr, size, type, 0 };
}

static void fill_e820(struct boot_info *bi, const struct guest_mem *gm)
{
	unsigned i;

	add_e820(bi, 0, BOOT_LOWMEM_END, BOOT_E820_RAM);
	add_e820(bi, BOOT_LOWMEM_END, BOOT_KERNEL_ADDR - BOOT_LOWMEM_END, BOOT_E820_RESERVED);
	add_e820(bi, BOOT_KERNEL_ADDR, gm->regions[0].size - BOOT_KERNEL_ADDR, BOOT_E820_RAM);
	for (i = 1; i < gm->nregions; i++)
		add_e820(bi, gm->regions[i].gpa, gm->regions[i].size, BOOT_E820_RAM);
}

int boot_load(const struct guest_mem *gm, const struct boot_payload *p, char *err, size_t errlen)
{
	struct boot_info bi = { .magic = BOOT_INFO_MAGIC, .version = BOOT_INFO_VERSION,
				.size = sizeof(bi), .ncpus = p->ncpus,
				.flags = p->mark_kernel ? BOOT_INFO_MARK_KERNEL : 0 };
	struct kernel_info ki;
	size_t cmdlen = strlen(p->cmdline);

	if ((boot_elf_is(p) ? boot_elf_parse(p, &ki, err, errlen) :
			      parse_bzimage(p, &ki, err, errlen)) < 0)
		return -1;
	if (ki.end > guest_mem_low_end(gm)) {
		snprintf(err, errlen, "kernel: needs %llu MiB of RAM below 3 GiB to boot",
			 (unsigned long long)(ki.end >> 20) + 1);
		return -1;
	}
	if (cmdlen > ki.cmdline_max || cmdlen >= BOOT_CMDLINE_MAX) {
		snprintf(err, errlen, "command line: %zu bytes, the kernel takes at most %u",
			 cmdlen, ki.cmdline_max);
		return -1;
	}
	if (ki.elf)
		boot_elf_load(gm, p, &ki);
	else
		guest_mem_write(gm, BOOT_KERNEL_ADDR, p->kernel + ki.pm_offset,
				p->kernel_size - ki.pm_offset);
	guest_mem_write(gm, BOOT_CMDLINE_ADDR, p->cmdline, cmdlen + 1);
	if (p->initrd || p->initrd_extra) {
		uint64_t size;

		bi.initrd_addr = place_initrd(gm, p, &ki, &size, err, errlen);
		if (!bi.initrd_addr)
			return -1;
		bi.initrd_size = size;
	}
	bi.kernel_entry = ki.entry;
	bi.cmdline_addr = BOOT_CMDLINE_ADDR;
	bi.cmdline_size = (uint32_t)cmdlen;
	bi.setup_header_size = (uint32_t)ki.header_size;
	memcpy(bi.setup_header, ki.header, ki.header_size);
	fill_e820(&bi, gm);
	guest_mem_write(gm, BOOT_INFO_ADDR, &bi, sizeof(bi));
	return 0;
}
