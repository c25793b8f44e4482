/* virtio-blk: a block backend as the guest's /dev/vdX, its requests served by worker threads. */
#include "virtio/virtio_blk.h"

#include <errno.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <string.h>

#include "log.h"

#define SECTOR 512u

static uint64_t le_cpu64(uint64_t v)
{
	return v;	/* x86 hosts only: the guest's little-endian is ours */
}

static void config_read(struct virtio_mmio_dev *dev, uint32_t offset, uint8_t *data, unsigned len)
{
	struct virtio_blk *blk = dev->opaque;
	struct virtio_blk_config c;

	memset(&c, 0, sizeof(c));
	/* After shutdown (a vCPU that did not stop in time): a disk of nothing. */
	c.capacity = blk->backend ? le_cpu64(blk->backend->size / SECTOR) : 0;
	c.seg_max = VIRTIO_BLK_SEG_MAX;
	c.blk_size = SECTOR;
	c.max_discard_sectors = VIRTIO_BLK_DISCARD_MAX_SECTORS;
	c.max_discard_seg = 1;
	c.discard_sector_alignment = VIRTIO_BLK_DISCARD_ALIGN_SECTORS;
	c.max_write_zeroes_sectors = VIRTIO_BLK_DISCARD_MAX_SECTORS;
	c.max_write_zeroes_seg = 1;
	c.write_zeroes_may_unmap = 1;
	/* The transport checked offset + len <= config_size == sizeof(c). */
	memcpy(data, (uint8_t *)&c + offset, len);
}

static int activate(struct virtio_mmio_dev *dev)
{
	return virtqueue_ready(&dev->vqs[0]) ? 0 : -EINVAL;
}

/*
 * Drop what is in flight: completions from before the reset are not pushed.
 * Workers complete under the device lock, so it is let go while they drain;
 * the driver is mid-reset and touches no other register meanwhile.
 */
static void reset(struct virtio_mmio_dev *dev)
{
	struct virtio_blk *blk = dev->opaque;

	pthread_mutex_lock(&blk->inflight_lock);
	blk->generation++;
	virtio_mmio_unlock(dev);
	while (blk->inflight)
		pthread_cond_wait(&blk->drained, &blk->inflight_lock);
	pthread_mutex_unlock(&blk->inflight_lock);
	virtio_mmio_lock(dev);
}

/* One popped chain becomes a request on its way to a worker. */
static bool submit(void *ctx, const struct virtqueue_elem *elem)
{
	struct virtio_blk *blk = ctx;

	virtio_blk_submit(blk, 0, elem);
	return true;
}

static void queue_notify(struct virtio_mmio_dev *dev, unsigned queue)
{
	struct virtio_blk *blk = dev->opaque;
	struct iovec iov[VIRTIO_BLK_SEG_MAX + 2];
	struct virtqueue_elem elem = { .iov = iov, .iov_cap = VIRTIO_BLK_SEG_MAX + 2 };
	int ret = virtio_mmio_serve(dev, queue, &elem, submit, blk);

	if (ret < 0) {
		log_error("virtio-blk %s: the guest broke the ring rules (%s); device needs reset",
			  blk->backend->path, virtqueue_error_text(ret));
		virtio_mmio_needs_reset(dev);
	}
}

#define BLK_FEATURES (1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE | \
		      1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_DISCARD | \
		      1ull << VIRTIO_BLK_F_WRITE_ZEROES)

#define BLK_OPS(feature_bits)                                                  \
	{                                                                      \
		.name = "virtio-blk",                                          \
		.device_id = VIRTIO_ID_BLOCK,                                  \
		.features = (feature_bits),                                    \
		.num_queues = 1,                                               \
		.queue_max = { VIRTIO_BLK_QUEUE_SIZE },                        \
		.config_size = sizeof(struct virtio_blk_config),               \
		.config_read = config_read,                                    \
		.activate = activate,                                          \
		.reset = reset,                                                \
		.queue_notify = queue_notify,                                  \
	}

static const struct virtio_device_ops rw_ops = BLK_OPS(BLK_FEATURES);
static const struct virtio_device_ops ro_ops = BLK_OPS(BLK_FEATURES | 1ull << VIRTIO_BLK_F_RO);

const struct virtio_device_ops *virtio_blk_ops(const struct virtio_blk *blk)
{
	return blk->backend->readonly ? &ro_ops : &rw_ops;
}

int virtio_blk_init(struct virtio_blk *blk, struct block_backend *backend, const char *serial)
{
	memset(blk, 0, sizeof(*blk));
	blk->backend = backend;
	memcpy(blk->serial, serial, strnlen(serial, sizeof(blk->serial)));
	pthread_mutex_init(&blk->inflight_lock, NULL);
	pthread_cond_init(&blk->drained, NULL);
	return 0;
}

int virtio_blk_start(struct virtio_blk *blk, void (*enter)(void))
{
	return worker_pool_start(&blk->workers, VIRTIO_BLK_WORKERS, "virtio-blk", enter);
}

void virtio_blk_shutdown(struct virtio_blk *blk)
{
	struct block_backend *b;

	pthread_mutex_lock(&blk->inflight_lock);
	while (blk->inflight)
		pthread_cond_wait(&blk->drained, &blk->inflight_lock);
	pthread_mutex_unlock(&blk->inflight_lock);
	/* Taken away under the device lock: config space reads it under the same lock. */
	virtio_mmio_lock(blk->dev);
	b = blk->backend;
	blk->backend = NULL;
	virtio_mmio_unlock(blk->dev);
	if (b)
		b->ops->close(b);
}
