/* Guest RAM: its host mapping, its layout, and the one checked gpa -> pointer translator. */
#include "guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define GUEST_MEM_ALIGN (2ull << 20)

void guest_mem_init_at(struct guest_mem *gm, uint8_t *host, uint64_t size)
{
	uint64_t low = size < GUEST_MEM_HOLE_START ? size : GUEST_MEM_HOLE_START;

	memset(gm, 0, sizeof(*gm));
	gm->mapping = host;
	gm->size = size;
	gm->regions[0] = (struct guest_mem_region){ 0, low, host };
	gm->nregions = 1;
	if (size > low) {
		gm->regions[1] = (struct guest_mem_region){ GUEST_MEM_HIGH_START, size - low, host + low };
		gm->nregions = 2;
	}
}

int guest_mem_init(struct guest_mem *gm, uint64_t size)
{
	uint8_t *p, *aligned;

	/*
	 * NORESERVE: the guest's untouched RAM costs the host nothing. Aligned to
	 * 2 MiB so that transparent huge pages can back it: one nested-page fault
	 * per 2 MiB instead of per 4 KiB is most of a fast boot.
	 */
	p = mmap(NULL, size + GUEST_MEM_ALIGN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	aligned = (uint8_t *)(((uintptr_t)p + GUEST_MEM_ALIGN - 1) & ~(uintptr_t)(GUEST_MEM_ALIGN - 1));
	if (aligned > p)
		munmap(p, (size_t)(aligned - p));
	munmap(aligned + size, (size_t)(p + GUEST_MEM_ALIGN - aligned));
	madvise(aligned, size, MADV_HUGEPAGE);
	/* Keep guest RAM out of core dumps and of fork()ed children. */
	madvise(aligned, size, MADV_DONTDUMP);
	madvise(aligned, size, MADV_DONTFORK);
	guest_mem_init_at(gm, aligned, size);
	return 0;
}

void guest_mem_free(struct guest_mem *gm)
{
	if (gm->mapping)
		munmap(gm->mapping, gm->size);
	gm->mapping = NULL;
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	unsigned i;

	for (i = 0; i < gm->nregions; i++) {
		const struct guest_mem_region *r = &gm->regions[i];

		/* Written so that no sum can overflow: gpa - r->gpa only once gpa >= r->gpa. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, uint64_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

uint64_t guest_mem_low_end(const struct guest_mem *gm)
{
	return gm->regions[0].size;
}
