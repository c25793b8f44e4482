/* virtio-blk requests: parse a chain, run it against the backend on a worker, complete it. */
#include <errno.h>
#include <linux/virtio_blk.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util/iov.h"
#include "virtio/virtio_blk.h"

#define SECTOR 512u
#define HEADER_LEN 16u

struct virtio_blk_req {
	struct work_item work;
	struct virtio_blk *blk;
	unsigned queue;
	uint16_t head;
	unsigned generation;
	uint32_t type;
	uint64_t sector;
	uint8_t *status;		/* the chain's last writable byte */
	uint32_t written;		/* bytes written into the guest's buffers */
	struct iovec data[VIRTIO_BLK_SEG_MAX];
	int ndata;			/* -1: the chain does not have the shape TYPE needs */
	size_t data_len;
};

/* [offset, offset+len) in bytes lies on the disk. */
static bool in_range(const struct virtio_blk *blk, uint64_t sector, uint64_t len)
{
	uint64_t size = blk->backend->size;

	return sector <= size / SECTOR && len <= size - sector * SECTOR && len % SECTOR == 0;
}

/*
 * Discard and write-zeroes, one segment each (max_discard_seg and
 * max_write_zeroes_seg are 1). What config space advertises is enforced:
 * more sectors than the maximum is an error, unknown flags (and unmap on a
 * discard) are unsupported (virtio 1.2, 5.2.6.2). A discard is a hint: only
 * its aligned core reaches the backend, the unaligned head and tail are
 * kept, which is always correct.
 */
static uint8_t do_discard(struct virtio_blk_req *r, bool zeroes)
{
	const uint32_t align = VIRTIO_BLK_DISCARD_ALIGN_SECTORS;
	struct block_backend *b = r->blk->backend;
	struct virtio_blk_discard_write_zeroes seg;
	uint64_t first, end;
	int ret;

	if (r->data_len != sizeof(seg) ||
	    iov_to_buf(r->data, (unsigned)r->ndata, 0, &seg, sizeof(seg)) != sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	if (seg.flags & ~(zeroes ? (uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0u))
		return VIRTIO_BLK_S_UNSUPP;
	if (seg.num_sectors > VIRTIO_BLK_DISCARD_MAX_SECTORS || b->readonly ||
	    !in_range(r->blk, seg.sector, (uint64_t)seg.num_sectors * SECTOR))
		return VIRTIO_BLK_S_IOERR;
	if (zeroes) {
		ret = b->ops->write_zeroes(b, seg.sector * SECTOR, (uint64_t)seg.num_sectors * SECTOR,
					   seg.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
		return ret < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	}
	first = (seg.sector + align - 1) / align * align;
	end = (seg.sector + seg.num_sectors) / align * align;
	if (first >= end)
		return VIRTIO_BLK_S_OK;
	ret = b->ops->discard(b, first * SECTOR, (end - first) * SECTOR);
	return ret < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

/* Run the request against the backend; returns the virtio status. Worker thread. */
static uint8_t execute(struct virtio_blk_req *r)
{
	struct block_backend *b = r->blk->backend;

	if (r->ndata < 0)
		return VIRTIO_BLK_S_IOERR;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		if (!in_range(r->blk, r->sector, r->data_len) ||
		    b->ops->preadv(b, r->data, r->ndata, r->sector * SECTOR) < 0)
			return VIRTIO_BLK_S_IOERR;
		r->written += (uint32_t)r->data_len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		if (b->readonly || !in_range(r->blk, r->sector, r->data_len) ||
		    b->ops->pwritev(b, r->data, r->ndata, r->sector * SECTOR) < 0)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		return b->ops->flush(b) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		r->written += (uint32_t)iov_from_buf(r->data, (unsigned)r->ndata, 0, r->blk->serial,
						     sizeof(r->blk->serial));
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
		return do_discard(r, false);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return do_discard(r, true);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Hand the chain back unless a reset came in between; then wake a waiting reset. */
static void complete(struct virtio_blk_req *r)
{
	struct virtio_blk *blk = r->blk;
	struct virtio_mmio_dev *dev = blk->dev;
	bool current;

	virtio_mmio_lock(dev);
	pthread_mutex_lock(&blk->inflight_lock);
	current = r->generation == blk->generation;
	pthread_mutex_unlock(&blk->inflight_lock);
	if (current && virtqueue_push(&dev->vqs[r->queue], r->head, r->written) == 0)
		virtio_mmio_signal_used(dev, r->queue);
	virtio_mmio_unlock(dev);
	pthread_mutex_lock(&blk->inflight_lock);
	if (--blk->inflight == 0)
		pthread_cond_broadcast(&blk->drained);
	pthread_mutex_unlock(&blk->inflight_lock);
	free(r);
}

static void run(struct work_item *item)
{
	struct virtio_blk_req *r = (struct virtio_blk_req *)item;

	*r->status = execute(r);
	r->written += 1;	/* the status byte */
	log_debug("virtio-blk: type %u sector %llu len %zu -> status %u", r->type,
		  (unsigned long long)r->sector, r->data_len, *r->status);
	complete(r);
}

/*
 * Split ELEM into header, data and status. Driver-to-device data follows the
 * 16-byte header in the readable part; device-to-driver data precedes the
 * status byte in the writable part. Returns false when even the header or
 * status is missing: such a chain cannot be answered at all.
 */
static bool parse(struct virtio_blk_req *r, const struct virtqueue_elem *elem)
{
	const struct iovec *rd = elem->iov, *wr = elem->iov + elem->n_readable;
	struct virtio_blk_outhdr hdr;
	const struct iovec *last;

	if (elem->readable_len < HEADER_LEN || elem->writable_len < 1 ||
	    iov_to_buf(rd, elem->n_readable, 0, &hdr, sizeof(hdr)) != sizeof(hdr))
		return false;
	last = &wr[elem->n_writable - 1];
	if (!last->iov_len)
		return false;
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	r->type = hdr.type;
	r->sector = hdr.sector;
	if (r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID) {
		r->data_len = elem->writable_len - 1u;
		r->ndata = iov_slice(wr, elem->n_writable, 0, r->data_len, r->data, VIRTIO_BLK_SEG_MAX);
	} else {
		r->data_len = elem->readable_len - HEADER_LEN;
		r->ndata = iov_slice(rd, elem->n_readable, HEADER_LEN, r->data_len, r->data,
				     VIRTIO_BLK_SEG_MAX);
	}
	return true;
}

void virtio_blk_submit(struct virtio_blk *blk, unsigned queue, const struct virtqueue_elem *elem)
{
	struct virtio_blk_req *r = calloc(1, sizeof(*r));

	if (!r || !parse(r, elem)) {
		/* Nothing to put a status in (or no memory): return it empty. */
		free(r);
		virtqueue_push(&blk->dev->vqs[queue], elem->head, 0);
		virtio_mmio_signal_used(blk->dev, queue);
		return;
	}
	r->work.fn = run;
	r->blk = blk;
	r->queue = queue;
	r->head = elem->head;
	pthread_mutex_lock(&blk->inflight_lock);
	r->generation = blk->generation;
	blk->inflight++;
	pthread_mutex_unlock(&blk->inflight_lock);
	worker_pool_submit(&blk->workers, &r->work);
}
