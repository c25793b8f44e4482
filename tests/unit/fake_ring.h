/* The driver side of a split virtqueue in fake guest RAM: posting chains, reading the used ring. */
#ifndef CAPSULE_TEST_FAKE_RING_H
#define CAPSULE_TEST_FAKE_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

/* One descriptor of a chain the test driver posts. */
struct seg {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* The guest driver's view of one queue; where its rings lie is the caller's. */
struct fake_ring {
	uint16_t size, next_desc, avail_idx, last_used;
};

/*
 * Post a chain of the N segments S on ring R, whose descriptor table is at
 * DESC and avail ring at AVAIL: descriptors from the next free one on, then
 * the head in the avail ring, published with a release store. Not notified;
 * returns the head.
 */
static inline uint16_t fake_ring_post(struct fake_ring *r, void *desc, void *avail,
				      const struct seg *s, unsigned n)
{
	struct vring_desc *d = desc;
	struct vring_avail *a = avail;
	uint16_t head = r->next_desc % r->size;

	for (unsigned i = 0; i < n; i++) {
		uint16_t at = (head + i) % r->size;

		d[at] = (struct vring_desc){ .addr = s[i].addr, .len = s[i].len,
					     .flags = (s[i].write ? VRING_DESC_F_WRITE : 0) |
						      (i + 1 < n ? VRING_DESC_F_NEXT : 0),
					     .next = (uint16_t)((at + 1) % r->size) };
	}
	r->next_desc += n;
	a->ring[r->avail_idx % r->size] = head;
	__atomic_store_n(&a->idx, ++r->avail_idx, __ATOMIC_RELEASE);
	return head;
}

/* The next entry of R's used ring, at USED: its id and length; false when there is none. */
static inline bool fake_ring_used_next(struct fake_ring *r, const void *used, uint16_t *id,
				       uint32_t *len)
{
	const struct vring_used *u = used;

	if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == r->last_used)
		return false;
	*id = (uint16_t)u->ring[r->last_used % r->size].id;
	*len = u->ring[r->last_used % r->size].len;
	r->last_used++;
	return true;
}

#endif
