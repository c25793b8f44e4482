/* Split virtqueues over guest RAM: strict chain parsing, used-ring publication, notification control. */
#ifndef CAPSULE_VIRTQUEUE_H
#define CAPSULE_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_ring.h>

#include "guest_mem.h"

/* The split ring's largest size (virtio 1.x, 2.7). */
#define VIRTQUEUE_SIZE_MAX 32768

/*
 * One queue as the driver laid it out. The ring pointers point into guest RAM
 * and were checked once, at setup, over the rings' whole extent. Every other
 * field is the device side's own state: the guest never writes it.
 *
 * Threads: a virtqueue belongs to one device and every call on it is made with
 * that device's lock held (struct virtio_mmio_dev): setup and reset by the
 * transport on a vCPU thread, everything else by the device's request path on
 * the I/O thread. Nothing here takes a lock or blocks.
 */
struct virtqueue {
	const struct guest_mem *mem;
	uint8_t *desc;			/* descriptor table, 16 bytes an entry */
	struct vring_avail *avail;	/* its ring[size] is used_event */
	struct vring_used *used;	/* its ring[size] is where avail_event lives */
	uint16_t size;			/* entries, a power of two; 0: not set up */
	uint16_t last_avail;		/* free-running: the next available entry to take */
	uint16_t used_idx;		/* free-running: published as used->idx */
	uint16_t signalled_used;	/* used_idx at the last interrupt decision */
	uint16_t inflight;		/* chains popped and not yet given back: at most size */
	bool indirect;			/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool event_idx;			/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool notify_off;		/* the device asked not to be notified */
	int error;			/* the first malformed-chain error, sticky until reset */
};

/*
 * One chain taken from the available ring. The caller provides IOV and
 * IOV_CAP; virtqueue_pop() fills the rest. iov[0 .. n_readable) are the
 * buffers the device reads (driver to device), then iov[n_readable ..
 * n_readable + n_writable) those it writes; each iov_base points into guest
 * RAM and stays valid until the device pushes HEAD back.
 */
struct virtqueue_elem {
	struct iovec *iov;
	unsigned iov_cap;		/* room in iov: a longer chain is an error */
	uint16_t head;			/* the id to give back to virtqueue_push() */
	unsigned n_readable, n_writable;
	uint32_t readable_len, writable_len;	/* byte totals */
};

/*
 * Check and take the ring layout the driver wrote: SIZE a power of two in
 * 1..VIRTQUEUE_SIZE_MAX, the descriptor table 16-aligned, the available ring
 * 2-aligned and the used ring 4-aligned, each whole ring (event fields
 * included) inside RAM, the used ring clear of the other two. FEATURES are
 * the negotiated ones (the ring bits are taken from it). Returns 0, or
 * -EINVAL (size, alignment, overlap) / -EFAULT (outside RAM) and leaves the
 * queue not set up. The device starts at index 0.
 */
int virtqueue_setup(struct virtqueue *vq, const struct guest_mem *mem, uint32_t size,
		    uint64_t desc, uint64_t avail, uint64_t used, uint64_t features);

/* Forget the layout and every index: the queue is not set up any more. */
void virtqueue_reset(struct virtqueue *vq);

/* True once virtqueue_setup() succeeded (and until reset). */
bool virtqueue_ready(const struct virtqueue *vq);

/*
 * Take the next available chain into ELEM. Returns 1 with ELEM filled, 0 when
 * there is nothing to take (or the queue is not set up), or a negative error
 * when the driver broke the ring rules; the queue then stays broken (every
 * later pop returns the same error) and the device should report NEEDS_RESET:
 *   -EINVAL   an index >= the queue or table size, more entries made
 *             available than the queue holds, INDIRECT not negotiated, nested
 *             or combined with NEXT, a table length not a multiple of 16, or a
 *             device-readable descriptor after a device-writable one;
 *   -EBUSY    a chain beyond the queue's size while SIZE chains are already
 *             in flight (popped, not yet pushed or unpopped): a driver that
 *             offers heads the device still holds (the spec's drivers never
 *             can, each chain holding at least one of SIZE descriptors);
 *   -EFAULT   a buffer or indirect table not entirely inside RAM;
 *   -ELOOP    more descriptors than the queue (or the indirect table) holds:
 *             the chain loops;
 *   -E2BIG    more buffers than ELEM->iov_cap;
 *   -EMSGSIZE more than UINT32_MAX bytes either way.
 * When pop returns 0 with notifications enabled it has already re-armed them
 * (avail_event with EVENT_IDX) and looked again, so a device that pops until 0
 * never misses a notification. A device that stops earlier must come back by
 * itself or call virtqueue_enable_notify().
 */
int virtqueue_pop(struct virtqueue *vq, struct virtqueue_elem *elem);

/* What a virtqueue_pop() error means, in a few words for a message. */
const char *virtqueue_error_text(int err);

/* Give back the chain the last pop took (nothing to fill it with yet): no longer in flight. */
void virtqueue_unpop(struct virtqueue *vq);

/*
 * Return chain HEAD to the driver with LEN bytes written into its writable
 * buffers, and publish the new used->idx (release: the entry first). Returns 0,
 * or -EINVAL when the queue is not set up, HEAD is out of range or nothing is
 * in flight (a push without its pop: a device bug, refused).
 */
int virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len);

/*
 * The same in two steps, for chains the driver must see together (a merged
 * receive frame: Linux reads its num_buffers chains at once and drops the
 * frame if one is missing). Fill writes used entries the driver cannot see
 * yet; publish makes all filled ones visible with one used->idx store.
 */
int virtqueue_fill(struct virtqueue *vq, uint16_t head, uint32_t len);
void virtqueue_publish(struct virtqueue *vq);

/*
 * After pushing: should the driver be interrupted? False when nothing was
 * pushed since the last call; otherwise decided by used_event (EVENT_IDX, wrap
 * safe) or by VRING_AVAIL_F_NO_INTERRUPT. Orders the used->idx store before
 * reading the driver's request (full fence).
 */
bool virtqueue_should_notify(struct virtqueue *vq);

/* Ask the driver not to notify (VRING_USED_F_NO_NOTIFY, or a stale avail_event). */
void virtqueue_disable_notify(struct virtqueue *vq);

/* How many chains the device holds: popped and not yet pushed or unpopped. */
unsigned virtqueue_inflight(const struct virtqueue *vq);

/*
 * Ask for notifications again, then look again: returns true when chains are
 * available, which the driver may have added without notifying (false on a
 * broken queue). Use as
 *   do { virtqueue_disable_notify(vq); while (virtqueue_pop(...) > 0) ...; }
 *   while (virtqueue_enable_notify(vq));
 */
bool virtqueue_enable_notify(struct virtqueue *vq);

#endif
