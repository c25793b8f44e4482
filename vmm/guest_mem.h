/* Guest RAM: its host mapping, its layout, and the one checked gpa -> pointer translator. */
#ifndef CAPSULE_GUEST_MEM_H
#define CAPSULE_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_REGIONS_MAX 2
/* RAM above this stays below 4 GiB no longer: the 32-bit MMIO hole starts here. */
#define GUEST_MEM_HOLE_START 0xc0000000ull
#define GUEST_MEM_HIGH_START 0x100000000ull

struct guest_mem_region {
	uint64_t gpa;		/* guest-physical start */
	uint64_t size;
	uint8_t *host;		/* host address of gpa */
};

struct guest_mem {
	struct guest_mem_region regions[GUEST_MEM_REGIONS_MAX];
	unsigned nregions;
	uint8_t *mapping;	/* one anonymous mapping backing every region */
	uint64_t size;		/* total RAM */
};

/*
 * Lay out SIZE bytes of RAM (below the 32-bit hole, the rest from 4 GiB) over
 * one anonymous mapping. Returns 0 or -errno.
 */
int guest_mem_init(struct guest_mem *gm, uint64_t size);

/* Lay out regions over caller-provided memory (unit tests use a heap buffer). */
void guest_mem_init_at(struct guest_mem *gm, uint8_t *host, uint64_t size);

void guest_mem_free(struct guest_mem *gm);

/*
 * The host pointer for guest range [GPA, GPA+LEN), or NULL when any byte of it
 * is outside RAM or the range wraps. Every guest address reaches the host
 * through here. A range never spans two regions (they are not adjacent).
 */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* Copy to/from guest memory; 0, or -EFAULT when the range is not all RAM. */
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, uint64_t len);
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, uint64_t len);

/* End of the region that starts at 0 (RAM below the hole). */
uint64_t guest_mem_low_end(const struct guest_mem *gm);

#endif
