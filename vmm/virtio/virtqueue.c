/* Split virtqueues over guest RAM: strict chain parsing, used-ring publication, notification control. */
#include "virtio/virtqueue.h"

#include <errno.h>
#include <string.h>

#define DESC_SIZE sizeof(struct vring_desc)

/* The ring extents, event fields included (virtio 1.x, 2.7). */
static uint64_t avail_bytes(uint32_t size)
{
	return sizeof(struct vring_avail) + 2ull * size + 2;
}

static uint64_t used_bytes(uint32_t size)
{
	return sizeof(struct vring_used) + sizeof(struct vring_used_elem) * (uint64_t)size + 2;
}

static uint16_t *used_event(const struct virtqueue *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *avail_event(const struct virtqueue *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

/* Whether [A, A + ALEN) and [B, B + BLEN) share a byte (both checked to lie in RAM: no wrap). */
static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int virtqueue_setup(struct virtqueue *vq, const struct guest_mem *mem, uint32_t size,
		    uint64_t desc, uint64_t avail, uint64_t used, uint64_t features)
{
	void *d, *a, *u;

	virtqueue_reset(vq);
	if (size == 0 || size > VIRTQUEUE_SIZE_MAX || (size & (size - 1)))
		return -EINVAL;
	if (desc % VRING_DESC_ALIGN_SIZE || avail % VRING_AVAIL_ALIGN_SIZE || used % VRING_USED_ALIGN_SIZE)
		return -EINVAL;
	d = guest_mem_ptr(mem, desc, DESC_SIZE * size);
	a = guest_mem_ptr(mem, avail, avail_bytes(size));
	u = guest_mem_ptr(mem, used, used_bytes(size));
	if (!d || !a || !u)
		return -EFAULT;
	/*
	 * The used ring is the only part the device writes: over the avail ring
	 * or the descriptors, its own stores would change what it reads next
	 * (used->flags as avail->idx keeps every pop loop going forever).
	 */
	if (overlap(used, used_bytes(size), avail, avail_bytes(size)) ||
	    overlap(used, used_bytes(size), desc, DESC_SIZE * size))
		return -EINVAL;
	vq->mem = mem;
	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	vq->size = (uint16_t)size;	/* 32768 at most: fits */
	vq->indirect = features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	vq->event_idx = features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	return 0;
}

void virtqueue_reset(struct virtqueue *vq)
{
	memset(vq, 0, sizeof(*vq));
}

bool virtqueue_ready(const struct virtqueue *vq)
{
	return vq->size != 0;
}

/* Tell the driver which available index to notify at (or that it may notify). */
static void arm_notify(struct virtqueue *vq)
{
	if (vq->event_idx)
		__atomic_store_n(avail_event(vq), vq->last_avail, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
}

/*
 * How many chains the driver has made available, or -EINVAL when it claims
 * more than the ring holds. With nothing there and notifications wanted,
 * re-arm them and look again: the store to avail_event must be visible before
 * the second load of avail->idx, or a chain added in between goes unnoticed.
 */
static int avail_pending(struct virtqueue *vq)
{
	uint16_t idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);

	if (idx == vq->last_avail && !vq->notify_off && vq->event_idx) {
		arm_notify(vq);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	}
	if ((uint16_t)(idx - vq->last_avail) > vq->size)
		return -EINVAL;
	return (uint16_t)(idx - vq->last_avail);
}

/* Append descriptor D's buffer to ELEM. */
static int add_buffer(const struct virtqueue *vq, struct virtqueue_elem *elem,
		      const struct vring_desc *d)
{
	bool writable = d->flags & VRING_DESC_F_WRITE;
	unsigned n = elem->n_readable + elem->n_writable;
	uint32_t *total = writable ? &elem->writable_len : &elem->readable_len;
	void *p;

	if (!writable && elem->n_writable)
		return -EINVAL;
	if (n >= elem->iov_cap)
		return -E2BIG;
	if (d->len > UINT32_MAX - *total)
		return -EMSGSIZE;
	p = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!p)
		return -EFAULT;
	elem->iov[n].iov_base = p;
	elem->iov[n].iov_len = d->len;
	*total += d->len;
	if (writable)
		elem->n_writable++;
	else
		elem->n_readable++;
	return 0;
}

/* Switch the walk to the indirect table D describes: *TABLE and *ENTRIES. */
static int enter_indirect(const struct virtqueue *vq, const struct vring_desc *d,
			  const uint8_t **table, uint32_t *entries)
{
	/* One table per chain, never with NEXT (2.7.5.3.1). WRITE is ignored. */
	if (!vq->indirect || (d->flags & VRING_DESC_F_NEXT))
		return -EINVAL;
	if (d->len == 0 || d->len % DESC_SIZE)
		return -EINVAL;
	*table = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!*table)
		return -EFAULT;
	*entries = d->len / DESC_SIZE;
	return 0;
}

/*
 * Walk the chain starting at HEAD. Each descriptor is copied out of guest RAM
 * once and only the copy is checked and used. A walk visits at most as many
 * descriptors as its table holds; more means the chain loops.
 */
static int walk_chain(const struct virtqueue *vq, uint16_t head, struct virtqueue_elem *elem)
{
	const uint8_t *table = vq->desc;
	uint32_t entries = vq->size, visited = 0, i = head;
	bool indirect = false;
	struct vring_desc d;
	int r;

	elem->head = head;
	elem->n_readable = elem->n_writable = 0;
	elem->readable_len = elem->writable_len = 0;
	for (;;) {
		if (i >= entries)
			return -EINVAL;
		if (++visited > entries)
			return -ELOOP;
		memcpy(&d, table + (size_t)i * DESC_SIZE, sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (indirect)
				return -EINVAL;
			r = enter_indirect(vq, &d, &table, &entries);
			if (r)
				return r;
			indirect = true;
			visited = 0;
			i = 0;
			continue;
		}
		r = add_buffer(vq, elem, &d);
		if (r)
			return r;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

int virtqueue_pop(struct virtqueue *vq, struct virtqueue_elem *elem)
{
	uint16_t head;
	int r;

	if (!vq->size)
		return 0;
	if (vq->error)
		return vq->error;
	r = avail_pending(vq);
	if (r <= 0)
		goto out;
	/* Only a driver re-offering heads the device still holds gets here: memory stays bounded. */
	if (vq->inflight >= vq->size) {
		r = -EBUSY;
		goto out;
	}
	head = __atomic_load_n(&vq->avail->ring[vq->last_avail & (vq->size - 1)], __ATOMIC_RELAXED);
	r = walk_chain(vq, head, elem);
	if (r == 0) {
		vq->last_avail++;
		vq->inflight++;
		r = 1;
	}
out:
	if (r < 0)
		vq->error = r;
	return r;
}

const char *virtqueue_error_text(int err)
{
	switch (err) {
	case -EINVAL:
		return "an index or flag out of range";
	case -EFAULT:
		return "a buffer outside guest RAM";
	case -ELOOP:
		return "a descriptor loop";
	case -E2BIG:
		return "too many buffers in one chain";
	case -EMSGSIZE:
		return "a chain of 4 GiB or more";
	case -EBUSY:
		return "more chains in flight than the queue holds";
	default:
		return "a broken ring";
	}
}

void virtqueue_unpop(struct virtqueue *vq)
{
	if (vq->size && vq->inflight) {
		vq->last_avail--;
		vq->inflight--;
	}
}

unsigned virtqueue_inflight(const struct virtqueue *vq)
{
	return vq->inflight;
}

int virtqueue_fill(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e;

	if (!vq->size || head >= vq->size || !vq->inflight)
		return -EINVAL;
	vq->inflight--;
	e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
	return 0;
}

void virtqueue_publish(struct virtqueue *vq)
{
	if (vq->size)
		__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

int virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	int r = virtqueue_fill(vq, head, len);

	if (r == 0)
		virtqueue_publish(vq);
	return r;
}

bool virtqueue_should_notify(struct virtqueue *vq)
{
	uint16_t old = vq->signalled_used, event;

	if (!vq->size || old == vq->used_idx)
		return false;
	vq->signalled_used = vq->used_idx;
	/* The driver must see the new used->idx before we read what it asked for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) & VRING_AVAIL_F_NO_INTERRUPT);
	event = __atomic_load_n(used_event(vq), __ATOMIC_RELAXED);
	return vring_need_event(event, vq->used_idx, old);
}

void virtqueue_disable_notify(struct virtqueue *vq)
{
	if (!vq->size || vq->notify_off)
		return;
	vq->notify_off = true;
	/* With EVENT_IDX avail_event is left behind: the driver notifies at most once more. */
	if (!vq->event_idx)
		__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}

bool virtqueue_enable_notify(struct virtqueue *vq)
{
	if (!vq->size || vq->error)
		return false;
	vq->notify_off = false;
	arm_notify(vq);
	/* Our request must be visible before we look at avail->idx again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail;
}
