/* Unit tests of kernel loading and the boot-info block, on heap-backed guest memory. */
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/boot_info.h"
#include "boot.h"
#include "check.h"

#define MEM (64u << 20)
#define KSIZE 0x5000u

static uint8_t kernel[KSIZE];
static uint8_t initrd[10000];
static char err[512];

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A bzImage header good enough for boot_load: protocol 2.15, 64-bit entry. */
static void make_kernel(void)
{
	memset(kernel, 0, sizeof(kernel));
	for (unsigned i = 0; i < KSIZE; i++)
		kernel[i] = (uint8_t)(i * 7);
	kernel[0x1f1] = 1;			/* setup_sects: code at 0x400 */
	kernel[0x201] = 0x66;			/* header ends at 0x268 */
	put32(kernel + 0x202, 0x53726448);	/* HdrS */
	kernel[0x206] = 0x0f, kernel[0x207] = 0x02;
	kernel[0x211] = 0x01;			/* LOADED_HIGH */
	put32(kernel + 0x22c, 0x7fffffff);	/* initrd_addr_max */
	kernel[0x236] = 0x01, kernel[0x237] = 0;/* XLF_KERNEL_64 */
	put32(kernel + 0x238, 2047);		/* cmdline_size */
	put32(kernel + 0x258, 0x1000000), put32(kernel + 0x25c, 0);
	put32(kernel + 0x260, 0x200000);	/* init_size */
}

static struct boot_payload payload(const char *cmdline)
{
	struct boot_payload p = { kernel, KSIZE, initrd, sizeof(initrd), cmdline, 2, false, NULL, 0 };

	return p;
}

static void layout(void)
{
	uint8_t *ram = calloc(1, MEM);
	struct guest_mem gm;
	struct boot_payload p = payload("console=ttyS0 quiet");
	struct boot_info *bi = (struct boot_info *)(ram + BOOT_INFO_ADDR);

	make_kernel();
	memset(initrd, 0xab, sizeof(initrd));
	guest_mem_init_at(&gm, ram, MEM);
	CHECK(boot_load(&gm, &p, err, sizeof(err)) == 0);
	CHECK(bi->magic == BOOT_INFO_MAGIC && bi->version == BOOT_INFO_VERSION);
	CHECK(bi->size == sizeof(*bi) && sizeof(*bi) % 8 == 0);
	CHECK(bi->kernel_entry == BOOT_KERNEL_ADDR + 0x200);
	CHECK(memcmp(ram + BOOT_KERNEL_ADDR, kernel + 0x400, KSIZE - 0x400) == 0);
	CHECK_STR((char *)ram + BOOT_CMDLINE_ADDR, "console=ttyS0 quiet");
	CHECK(bi->cmdline_addr == BOOT_CMDLINE_ADDR && bi->cmdline_size == 19);
	CHECK(bi->ncpus == 2 && bi->flags == 0);
	/* The initrd sits page-aligned at the top, clear of the relocated kernel. */
	CHECK(bi->initrd_size == sizeof(initrd));
	CHECK(bi->initrd_addr % 4096 == 0);
	CHECK(bi->initrd_addr + sizeof(initrd) <= MEM && bi->initrd_addr + sizeof(initrd) > MEM - 4096);
	CHECK(bi->initrd_addr >= 0x1000000 + 0x200000);
	CHECK(memcmp(ram + bi->initrd_addr, initrd, sizeof(initrd)) == 0);
	CHECK(bi->setup_header_size == 0x268 - 0x1f1);
	CHECK(memcmp(bi->setup_header, kernel + 0x1f1, bi->setup_header_size) == 0);
	CHECK(bi->e820_count == 3);
	CHECK(bi->e820[0].addr == 0 && bi->e820[0].size == BOOT_LOWMEM_END && bi->e820[0].type == 1);
	CHECK(bi->e820[1].addr == BOOT_LOWMEM_END && bi->e820[1].type == 2);
	CHECK(bi->e820[2].addr == 0x100000 && bi->e820[2].size == MEM - 0x100000);
	p.mark_kernel = true;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) == 0 && bi->flags == BOOT_INFO_MARK_KERNEL);
	free(ram);
}

/* An extra archive (init's request) follows the initrd at a 4-byte boundary, zeros between. */
static void initrd_extra(void)
{
	static const uint8_t extra[] = "070701-an-archive";
	uint8_t *ram = calloc(1, MEM);
	struct guest_mem gm;
	struct boot_payload p = payload("x");
	struct boot_info *bi = (struct boot_info *)(ram + BOOT_INFO_ADDR);
	uint64_t first = (sizeof(initrd) - 3 + 3) & ~3ull;

	make_kernel();
	memset(initrd, 0xab, sizeof(initrd));
	guest_mem_init_at(&gm, ram, MEM);
	p.initrd_size = sizeof(initrd) - 3;	/* not a multiple of 4 */
	p.initrd_extra = extra;
	p.initrd_extra_size = sizeof(extra);
	CHECK(boot_load(&gm, &p, err, sizeof(err)) == 0);
	CHECK(bi->initrd_size == first + sizeof(extra));
	CHECK(memcmp(ram + bi->initrd_addr, initrd, p.initrd_size) == 0);
	CHECK(memcmp(ram + bi->initrd_addr + p.initrd_size, "\0\0\0", 3) == 0);
	CHECK(memcmp(ram + bi->initrd_addr + first, extra, sizeof(extra)) == 0);
	/* Without an initrd of its own, the extra archive alone. */
	p.initrd = NULL;
	p.initrd_size = 0;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) == 0);
	CHECK(bi->initrd_size == sizeof(extra));
	CHECK(memcmp(ram + bi->initrd_addr, extra, sizeof(extra)) == 0);
	free(ram);
}

static void high_memory_in_e820(void)
{
	struct guest_mem gm;
	uint8_t *fake = (uint8_t *)0x1000; /* never dereferenced: layout only */

	guest_mem_init_at(&gm, fake, 4ull << 30);
	CHECK(gm.nregions == 2);
	CHECK(gm.regions[0].size == GUEST_MEM_HOLE_START);
	CHECK(gm.regions[1].gpa == GUEST_MEM_HIGH_START && gm.regions[1].size == (1ull << 30));
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HOLE_START, 1) == NULL);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HOLE_START - 4, 4) != NULL);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HOLE_START - 4, 5) == NULL);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HIGH_START + (1ull << 30) - 1, 1) != NULL);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HIGH_START + (1ull << 30), 1) == NULL);
	CHECK(guest_mem_ptr(&gm, UINT64_MAX, 2) == NULL);
	CHECK(guest_mem_ptr(&gm, 16, UINT64_MAX) == NULL);
}

static void bad_kernels(void)
{
	uint8_t *ram = calloc(1, MEM);
	struct guest_mem gm;
	struct boot_payload p = payload("x");

	guest_mem_init_at(&gm, ram, MEM);
	make_kernel();
	kernel[0x202] = 'X';
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0);
	CHECK_STR(err, "kernel: neither a bzImage (no HdrS header) nor an ELF vmlinux");
	make_kernel();
	kernel[0x236] = 0;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0);
	CHECK(strstr(err, "64-bit entry") != NULL);
	make_kernel();
	kernel[0x1f1] = 60;	/* setup runs past the end of the file */
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0);
	CHECK(strstr(err, "truncated") != NULL);
	make_kernel();
	p.kernel_size = 100;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0);
	free(ram);
}

static void too_small_or_too_long(void)
{
	uint8_t *ram = calloc(1, 20u << 20);
	struct guest_mem gm;
	char longline[3000];
	struct boot_payload p = payload(longline);

	make_kernel();
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	guest_mem_init_at(&gm, ram, 20u << 20);
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0);
	CHECK(strstr(err, "command line: 2999 bytes, the kernel takes at most 2047") == err);
	/* 16 MiB + 2 MiB of kernel leaves no room for the initrd in 18 MiB. */
	p = payload("x");
	guest_mem_init_at(&gm, ram, 18u << 20);
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0);
	CHECK(strstr(err, "initrd:") == err);
	guest_mem_init_at(&gm, ram, 17u << 20);
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0);
	CHECK(strstr(err, "kernel: needs") == err);
	free(ram);
}

/* The kernel capsule embeds, when the build tells us where it is. */
static void real_kernel(void)
{
	const char *path = getenv("CAPSULE_TEST_KERNEL");
	struct guest_mem gm;
	struct stat st;
	uint8_t *ram, *k;
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	k = malloc((size_t)st.st_size);
	CHECK(read(fd, k, (size_t)st.st_size) == st.st_size);
	close(fd);
	ram = calloc(1, 256u << 20);
	guest_mem_init_at(&gm, ram, 256u << 20);
	struct boot_payload p = { k, (size_t)st.st_size, NULL, 0, "console=ttyS0", 1, false, NULL, 0 };
	CHECK(boot_load(&gm, &p, err, sizeof(err)) == 0);
	CHECK(((struct boot_info *)(ram + BOOT_INFO_ADDR))->initrd_addr == 0);
	/* A vmlinux (what the build embeds) enters at startup_64, 16 MiB. */
	if (k[0] == 0x7f)
		CHECK(((struct boot_info *)(ram + BOOT_INFO_ADDR))->kernel_entry == 0x1000000);
	free(ram);
	free(k);
}

/*
 * A vmlinux-like ELF: text at 16 MiB (entry at its start), then data whose
 * memory size runs past its file bytes (bss), and a note that is not loaded.
 */
#define ELF_SIZE 0x3000u
static uint8_t elf[ELF_SIZE];

static Elf64_Phdr *elf_phdr(unsigned i)
{
	return (Elf64_Phdr *)(elf + sizeof(Elf64_Ehdr)) + i;
}

static void make_elf(void)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;

	for (unsigned i = 0; i < ELF_SIZE; i++)
		elf[i] = (uint8_t)(i * 13 + 1);
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_entry = 0x1000000;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	*elf_phdr(0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = 0xffffffff81000000,
				     .p_paddr = 0x1000000, .p_filesz = 0x800, .p_memsz = 0x800 };
	*elf_phdr(1) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x2000, .p_paddr = 0x1200000,
				     .p_filesz = 0x100, .p_memsz = 0x3000 };
	*elf_phdr(2) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 0x2800, .p_paddr = 0x10,
				     .p_filesz = 0x20, .p_memsz = 0x20 };
}

static void elf_kernel(void)
{
	uint8_t *ram = malloc(MEM);
	struct guest_mem gm;
	struct boot_payload p = { elf, ELF_SIZE, initrd, sizeof(initrd), "quiet", 1, false, NULL, 0 };
	struct boot_info *bi = (struct boot_info *)(ram + BOOT_INFO_ADDR);
	static const uint8_t zero[0x2f00];

	memset(ram, 0xcc, MEM);	/* a reboot's leftovers */
	guest_mem_init_at(&gm, ram, MEM);
	make_elf();
	CHECK(boot_load(&gm, &p, err, sizeof(err)) == 0);
	CHECK(bi->kernel_entry == 0x1000000);
	CHECK(memcmp(ram + 0x1000000, elf + 0x1000, 0x800) == 0);
	CHECK(memcmp(ram + 0x1200000, elf + 0x2000, 0x100) == 0);
	CHECK(memcmp(ram + 0x1200100, zero, sizeof(zero)) == 0);
	CHECK(ram[0x1200000 + 0x3000] == 0xcc && ram[0x1000000 + 0x800] == 0xcc);
	/* Nothing where the bzImage path would put its code. */
	CHECK(ram[BOOT_KERNEL_ADDR] == 0xcc);
	/* The made-up setup header: HdrS, boot flag, loaded high, 4095-byte command lines. */
	CHECK(memcmp(bi->setup_header + 0x202 - 0x1f1, "HdrS", 4) == 0);
	CHECK(bi->setup_header[0x1fe - 0x1f1] == 0x55 && bi->setup_header[0x1ff - 0x1f1] == 0xaa);
	CHECK(bi->setup_header[0x211 - 0x1f1] == 0x01 && bi->setup_header_size == 0x268 - 0x1f1);
	CHECK(bi->initrd_addr >= 0x1203000 && bi->initrd_addr + sizeof(initrd) <= MEM);
	free(ram);
}

static void bad_elf_kernels(void)
{
	uint8_t *ram = calloc(1, MEM);
	struct guest_mem gm;
	struct boot_payload p = { elf, ELF_SIZE, NULL, 0, "quiet", 1, false, NULL, 0 };
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;

	guest_mem_init_at(&gm, ram, MEM);
	make_elf();
	eh->e_machine = EM_386;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "64-bit x86 executable"));
	make_elf();
	eh->e_phoff = ELF_SIZE - 8;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "program headers"));
	make_elf();
	eh->e_phnum = 200;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "program headers"));
	make_elf();
	elf_phdr(1)->p_filesz = 0x1001;	/* past the end of the file */
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "segment 1 outside"));
	make_elf();
	elf_phdr(1)->p_offset = UINT64_MAX - 0x10;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "segment 1 outside"));
	make_elf();
	elf_phdr(0)->p_paddr = 0x80000;	/* over the firmware's tables */
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "segment 0 outside"));
	make_elf();
	elf_phdr(1)->p_memsz = 0x80;	/* less memory than file bytes */
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "segment 1 outside"));
	make_elf();
	eh->e_entry = 0x1200000 + 0x200;	/* in the zero-filled part, not the file's */
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "entry point"));
	make_elf();
	elf_phdr(1)->p_memsz = MEM;	/* runs past RAM */
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "kernel: needs"));
	make_elf();
	p.kernel_size = 40;
	CHECK(boot_load(&gm, &p, err, sizeof(err)) < 0 && strstr(err, "truncated"));
	free(ram);
}

int main(void)
{
	RUN(layout);
	RUN(initrd_extra);
	RUN(high_memory_in_e820);
	RUN(bad_kernels);
	RUN(too_small_or_too_long);
	RUN(elf_kernel);
	RUN(bad_elf_kernels);
	RUN(real_kernel);
	return CHECK_SUMMARY();
}
