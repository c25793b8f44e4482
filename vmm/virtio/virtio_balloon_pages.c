/* virtio-balloon's pages: inflate and deflate on a bitmap of guest RAM, free page reports, madvise. */
#include "virtio/virtio_balloon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "util/iov.h"

#define PAGE VIRTIO_BALLOON_PAGE

/* Guest page PFN's index in the RAM mapping (every region lies in it), or -1 when it is not RAM. */
static int64_t page_index(const struct virtio_balloon *b, uint32_t pfn)
{
	uint8_t *p = guest_mem_ptr(b->mem, (uint64_t)pfn * PAGE, PAGE);

	return p ? (int64_t)((p - b->mem->mapping) / PAGE) : -1;
}

/*
 * Give [HOST, HOST+LEN) back to the host: the next guest touch faults in a
 * zeroed page. Whole 2 MiB huge pages inside the range go at once; a huge
 * page only partly inside is split and keeps its other pages. False on
 * failure (not expected: the range is our own anonymous mapping).
 */
static bool release(struct virtio_balloon *b, uint8_t *host, uint64_t len)
{
	if (madvise(host, len, MADV_DONTNEED) == 0)
		return true;
	if (!b->counters.release_errors++)
		log_error("virtio-balloon: madvise(DONTNEED) of %llu bytes: %s",
			  (unsigned long long)len, strerror(errno));
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Release the N pages at the indexes IDX, one madvise per run of adjacent
 * pages: fewer calls (each one flushes the vCPUs' TLBs), and a run that
 * covers whole huge pages frees them without splitting.
 */
static void release_pages(struct virtio_balloon *b, uint32_t *idx, unsigned n)
{
	unsigned start = 0;

	qsort(idx, n, sizeof(*idx), cmp_u32);
	for (unsigned i = 1; i <= n; i++) {
		if (i < n && idx[i] == idx[i - 1] + 1)
			continue;
		if (release(b, b->mem->mapping + (uint64_t)idx[start] * PAGE,
			    (uint64_t)(i - start) * PAGE))
			b->counters.released += i - start;
		start = i;
	}
}

/* Set (INFLATE) or clear bit I; false when it already was so. */
static bool flip(struct virtio_balloon *b, uint64_t i, bool inflate)
{
	uint64_t *w = &b->bitmap[i / 64], bit = 1ull << (i % 64);

	if (!!(*w & bit) == inflate)
		return false;
	*w ^= bit;
	return true;
}

/* Entries of a LEN-byte PFN array beyond the first N read, and a partial one at its end. */
static uint64_t unread_entries(uint32_t len, unsigned n)
{
	return len / 4 - n + (len % 4 != 0);
}

void virtio_balloon_pfns(struct virtio_balloon *b, const struct virtqueue_elem *elem, bool inflate)
{
	uint32_t pfns[VIRTIO_BALLOON_PFNS_MAX], fresh[VIRTIO_BALLOON_PFNS_MAX];
	unsigned n = (unsigned)(iov_to_buf(elem->iov, elem->n_readable, 0, pfns, sizeof(pfns)) / 4);
	unsigned nfresh = 0;

	b->counters.bad_pfns += unread_entries(elem->readable_len, n);
	for (unsigned i = 0; i < n; i++) {
		int64_t idx = page_index(b, pfns[i]);

		if (idx < 0) {
			b->counters.bad_pfns++;
		} else if (!flip(b, (uint64_t)idx, inflate)) {
			b->counters.duplicates++;
		} else if (inflate) {
			fresh[nfresh++] = (uint32_t)idx;
			b->in_balloon++;
			b->counters.inflated++;
		} else {
			/* Nothing to do: the guest's next touch faults the page back in. */
			b->in_balloon--;
			b->counters.deflated++;
		}
	}
	if (nfresh)
		release_pages(b, fresh, nfresh);
}

struct range {
	uintptr_t start, end;
};

static int cmp_range(const void *a, const void *b)
{
	uintptr_t x = ((const struct range *)a)->start, y = ((const struct range *)b)->start;

	return (x > y) - (x < y);
}

/*
 * A free page report: each buffer is free guest memory (Linux: 4 MiB blocks)
 * the host may take now, no command needed. Only whole pages inside a buffer
 * go; buffers that touch are released together.
 */
void virtio_balloon_report(struct virtio_balloon *b, const struct virtqueue_elem *elem)
{
	struct range r[VIRTIO_BALLOON_CHAIN_IOVS];
	unsigned n = 0;

	for (unsigned i = 0; i < elem->n_readable + elem->n_writable; i++) {
		uintptr_t base = (uintptr_t)elem->iov[i].iov_base, len = elem->iov[i].iov_len;
		uintptr_t start = (base + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
		uintptr_t end = (base + len) & ~(uintptr_t)(PAGE - 1);

		if (end <= start || start < base) {
			b->counters.bad_reports++;
			continue;
		}
		r[n++] = (struct range){ start, end };
	}
	qsort(r, n, sizeof(r[0]), cmp_range);
	for (unsigned i = 0; i < n;) {
		uintptr_t start = r[i].start, end = r[i].end;

		/* Overlapping buffers merge too: a page is released, and counted, once. */
		for (i++; i < n && r[i].start <= end; i++)
			end = r[i].end > end ? r[i].end : end;
		if (release(b, (uint8_t *)start, end - start))
			b->counters.reported += (end - start) / PAGE;
	}
}

void virtio_balloon_pages_reset(struct virtio_balloon *b)
{
	if (b->in_balloon)
		memset(b->bitmap, 0, (size_t)((b->npages + 63) / 64) * sizeof(uint64_t));
	b->in_balloon = 0;
}
