/* Writes the BIOS data area words Linux reads: EBDA segment and base memory size. */
#include <stdint.h>
#include "bda.h"
#include "boot_info.h"
#include "phys.h"
#include "string.h"

#define BDA_EBDA_SEGMENT 0x40e	/* u16: real-mode segment of the EBDA */
#define BDA_BASE_MEM_KIB 0x413	/* u16: conventional memory below the EBDA, in KiB */

static void put16(uint64_t addr, uint16_t v)
{
	memcpy(phys_ptr(addr), &v, sizeof(v));
}

/*
 * Linux reserves from the EBDA up to 1 MiB and scans its first KiB (and the
 * last KiB of base memory) for the MP floating pointer: both point at
 * BOOT_LOWMEM_END, where the MP table is.
 */
void bda_write(void)
{
	put16(BDA_EBDA_SEGMENT, BOOT_LOWMEM_END >> 4);
	put16(BDA_BASE_MEM_KIB, BOOT_LOWMEM_END >> 10);
}
