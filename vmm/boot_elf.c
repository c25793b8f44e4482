/*
 * An uncompressed vmlinux booted through its 64-bit entry (startup_64), as
 * Firecracker does: no decompressor runs in the guest at each boot. The
 * segments go where their physical addresses say; the zero page gets a
 * setup header made here, with what the kernel reads of it.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "boot_impl.h"

#define HDR_BOOT_FLAG 0x1fe
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_LOADFLAGS 0x211
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_CMDLINE_SIZE 0x238
#define HDR_END 0x268

#define ELF_CMDLINE_MAX 4095u		/* COMMAND_LINE_SIZE - 1 on x86 */
#define ELF_INITRD_ADDR_MAX 0x7fffffffu	/* what bzImages of 64-bit kernels say */
#define ELF_SEGMENTS_MAX 16		/* vmlinux has 5 */

static void put_le(uint8_t *h, unsigned off, uint32_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		h[off - BOOT_SETUP_HEADER_OFFSET + i] = (uint8_t)(v >> 8 * i);
}

bool boot_elf_is(const struct boot_payload *p)
{
	return p->kernel_size >= SELFMAG && !memcmp(p->kernel, ELFMAG, SELFMAG);
}

/* The program headers, checked to lie inside the file; NULL with ERR set otherwise. */
static const Elf64_Phdr *program_headers(const struct boot_payload *p, unsigned *count,
					 char *err, size_t n)
{
	Elf64_Ehdr eh;

	if (p->kernel_size < sizeof(eh)) {
		snprintf(err, n, "kernel: truncated ELF header");
		return NULL;
	}
	memcpy(&eh, p->kernel, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC) {
		snprintf(err, n, "kernel: an ELF file, but not a 64-bit x86 executable (vmlinux)");
		return NULL;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phnum > ELF_SEGMENTS_MAX ||
	    eh.e_phoff % 8 || eh.e_phoff > p->kernel_size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > p->kernel_size - eh.e_phoff) {
		snprintf(err, n, "kernel: ELF program headers missing or outside the file");
		return NULL;
	}
	*count = eh.e_phnum;
	return (const Elf64_Phdr *)(p->kernel + eh.e_phoff);
}

/* A loadable segment: inside the file, at or above 1 MiB, below 4 GiB, not wrapping. */
static bool segment_ok(const struct boot_payload *p, const Elf64_Phdr *ph)
{
	return ph->p_offset <= p->kernel_size && ph->p_filesz <= p->kernel_size - ph->p_offset &&
	       ph->p_filesz <= ph->p_memsz && ph->p_paddr >= BOOT_KERNEL_ADDR &&
	       ph->p_paddr < (1ull << 32) && ph->p_memsz < (1ull << 32);
}

/* The setup header the zero page gets: the fields the kernel proper reads. */
static void make_header(struct kernel_info *ki)
{
	memset(ki->header, 0, sizeof(ki->header));
	ki->header_size = HDR_END - BOOT_SETUP_HEADER_OFFSET;
	put_le(ki->header, HDR_BOOT_FLAG, 0xaa55, 2);
	put_le(ki->header, HDR_MAGIC, 0x53726448u, 4);	/* "HdrS" */
	put_le(ki->header, HDR_VERSION, 0x020f, 2);
	put_le(ki->header, HDR_LOADFLAGS, 0x01, 1);	/* LOADED_HIGH */
	put_le(ki->header, HDR_INITRD_ADDR_MAX, ELF_INITRD_ADDR_MAX, 4);
	put_le(ki->header, HDR_KERNEL_ALIGNMENT, 0x200000, 4);
	put_le(ki->header, HDR_CMDLINE_SIZE, ELF_CMDLINE_MAX, 4);
}

int boot_elf_parse(const struct boot_payload *p, struct kernel_info *ki, char *err, size_t n)
{
	Elf64_Ehdr eh;
	unsigned count, loads = 0;
	const Elf64_Phdr *ph = program_headers(p, &count, err, n);
	bool entry_in = false;

	if (!ph)
		return -1;
	memcpy(&eh, p->kernel, sizeof(eh));
	memset(ki, 0, sizeof(*ki));
	for (unsigned i = 0; i < count; i++) {
		Elf64_Phdr s;

		memcpy(&s, ph + i, sizeof(s));
		if (s.p_type != PT_LOAD)
			continue;
		if (!segment_ok(p, &s)) {
			snprintf(err, n, "kernel: ELF segment %u outside the file or below 1 MiB", i);
			return -1;
		}
		loads++;
		if (s.p_paddr + s.p_memsz > ki->end)
			ki->end = s.p_paddr + s.p_memsz;
		entry_in |= eh.e_entry >= s.p_paddr && eh.e_entry - s.p_paddr < s.p_filesz;
	}
	if (!loads || !entry_in) {
		snprintf(err, n, "kernel: ELF entry point %#llx is in no loadable segment (a vmlinux "
			 "has its physical entry there)", (unsigned long long)eh.e_entry);
		return -1;
	}
	ki->elf = true;
	ki->phdrs = (const uint8_t *)ph;
	ki->nphdrs = count;
	ki->entry = eh.e_entry;
	ki->initrd_addr_max = ELF_INITRD_ADDR_MAX;
	ki->cmdline_max = ELF_CMDLINE_MAX;
	make_header(ki);
	return 0;
}

void boot_elf_load(const struct guest_mem *gm, const struct boot_payload *p,
		   const struct kernel_info *ki)
{
	for (unsigned i = 0; i < ki->nphdrs; i++) {
		Elf64_Phdr s;
		uint8_t *dst;

		memcpy(&s, ki->phdrs + i * sizeof(s), sizeof(s));
		if (s.p_type != PT_LOAD)
			continue;
		/* boot_load checked every segment fits below ki.end in RAM. */
		dst = guest_mem_ptr(gm, s.p_paddr, s.p_memsz);
		if (!dst)
			continue;
		memcpy(dst, p->kernel + s.p_offset, s.p_filesz);
		/* Fresh RAM is zero already; after a reboot it holds the old kernel's data. */
		memset(dst + s.p_filesz, 0, s.p_memsz - s.p_filesz);
	}
}
