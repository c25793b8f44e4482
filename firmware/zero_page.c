/* Writes the Linux zero page: setup header, loader fields, command line, initrd, e820 map. */
#include <stdint.h>
#include "zero_page.h"
#include "string.h"

/* Offsets in struct boot_params (Documentation/x86/zero-page.rst, boot.rst). */
#define ZP_SIZE 4096
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE 0x0c4
#define ZP_EXT_CMD_LINE_PTR 0x0c8
#define ZP_E820_ENTRIES 0x1e8
#define ZP_VID_MODE 0x1fa
#define ZP_TYPE_OF_LOADER 0x210
#define ZP_LOADFLAGS 0x211
#define ZP_RAMDISK_IMAGE 0x218
#define ZP_RAMDISK_SIZE 0x21c
#define ZP_CMD_LINE_PTR 0x228
#define ZP_E820_TABLE 0x2d0
#define ZP_E820_ENTRY_SIZE 20	/* packed: u64 addr, u64 size, u32 type */

#define LOADER_UNDEFINED 0xff	/* type_of_loader for a loader without an assigned id */
#define LOADED_HIGH 0x01	/* loadflags: protected-mode code is at 1 MiB */
#define VID_MODE_NORMAL 0xffff

/* The zero page is little-endian like the CPU; memcpy avoids alignment assumptions. */
static void put8(uint8_t *zp, unsigned int off, uint8_t v)
{
	zp[off] = v;
}

static void put16(uint8_t *zp, unsigned int off, uint16_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void put32(uint8_t *zp, unsigned int off, uint32_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void put64(uint8_t *zp, unsigned int off, uint64_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

/* A 64-bit address split across a legacy field and its ext_* high half. */
static void put_split(uint8_t *zp, unsigned int lo_off, unsigned int hi_off, uint64_t v)
{
	put32(zp, lo_off, (uint32_t)v);
	put32(zp, hi_off, (uint32_t)(v >> 32));
}

static void write_e820(uint8_t *zp, const struct boot_info *bi)
{
	unsigned int i, off;

	put8(zp, ZP_E820_ENTRIES, (uint8_t)bi->e820_count);
	for (i = 0; i < bi->e820_count; i++) {
		off = ZP_E820_TABLE + i * ZP_E820_ENTRY_SIZE;
		put64(zp, off, bi->e820[i].addr);
		put64(zp, off + 8, bi->e820[i].size);
		put32(zp, off + 16, bi->e820[i].type);
	}
}

void zero_page_write(const struct boot_info *bi, void *zero_page)
{
	uint8_t *zp = zero_page;

	memset(zp, 0, ZP_SIZE);
	memcpy(zp + BOOT_SETUP_HEADER_OFFSET, bi->setup_header, bi->setup_header_size);
	put8(zp, ZP_TYPE_OF_LOADER, LOADER_UNDEFINED);
	put8(zp, ZP_LOADFLAGS, zp[ZP_LOADFLAGS] | LOADED_HIGH);
	put16(zp, ZP_VID_MODE, VID_MODE_NORMAL);
	put_split(zp, ZP_CMD_LINE_PTR, ZP_EXT_CMD_LINE_PTR, bi->cmdline_addr);
	put_split(zp, ZP_RAMDISK_IMAGE, ZP_EXT_RAMDISK_IMAGE, bi->initrd_addr);
	put_split(zp, ZP_RAMDISK_SIZE, ZP_EXT_RAMDISK_SIZE, bi->initrd_size);
	write_e820(zp, bi);
}
