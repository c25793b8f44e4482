/* virtio-balloon: the transport's callbacks, config space, and the host's API (target, info). */
#include "virtio/virtio_balloon.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int64_t ms_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

static void config_read(struct virtio_mmio_dev *dev, uint32_t offset, uint8_t *data, unsigned len)
{
	struct virtio_balloon *b = dev->opaque;
	struct virtio_balloon_config c;

	/* Little-endian as the spec has it: so is every x86 host. */
	memset(&c, 0, sizeof(c));
	c.num_pages = b->num_pages;
	c.actual = b->actual;
	/* The transport checked offset + len <= config_size == sizeof(c). */
	memcpy(data, (uint8_t *)&c + offset, len);
}

/* The driver reached the target: how long it took, for info and for CAPSULE_DEBUG. */
static void note_actual(struct virtio_balloon *b)
{
	struct timespec now;

	if (b->actual != b->num_pages || b->reached_ms >= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	b->reached_ms = ms_between(&b->target_at, &now);
	if (b->reached_ms > 0)
		log_debug("virtio-balloon: the driver reached %u pages in %lld ms", b->actual,
			  (long long)b->reached_ms);
}

/* A new target, or a driver that starts now: the time to reach it counts from here. */
static void restart_clock(struct virtio_balloon *b)
{
	clock_gettime(CLOCK_MONOTONIC, &b->target_at);
	b->reached_ms = -1;
	note_actual(b);
}

/* Only `actual` is the driver's to write; bytes anywhere else are dropped. */
static void config_write(struct virtio_mmio_dev *dev, uint32_t offset, const uint8_t *data,
			 unsigned len)
{
	struct virtio_balloon *b = dev->opaque;
	const uint32_t at = offsetof(struct virtio_balloon_config, actual);
	uint8_t bytes[4];

	memcpy(bytes, &b->actual, 4);
	for (unsigned i = 0; i < len; i++)
		if (offset + i >= at && offset + i < at + 4)
			bytes[offset + i - at] = data[i];
	memcpy(&b->actual, bytes, 4);
	note_actual(b);
}

/* Queues in the driver's order: inflate, deflate, then stats and reporting when negotiated. */
static void assign_roles(struct virtio_balloon *b, struct virtio_mmio_dev *dev)
{
	unsigned q = 0;

	memset(b->roles, 0, sizeof(b->roles));
	b->roles[q++] = BALLOON_Q_INFLATE;
	b->roles[q++] = BALLOON_Q_DEFLATE;
	b->stats_queue = -1;
	if (virtio_mmio_has_feature(dev, VIRTIO_BALLOON_F_STATS_VQ)) {
		b->stats_queue = (int)q;
		b->roles[q++] = BALLOON_Q_STATS;
	}
	if (virtio_mmio_has_feature(dev, VIRTIO_BALLOON_F_REPORTING))
		b->roles[q++] = BALLOON_Q_REPORTING;
}

/* Every queue the negotiated features call for must be there. */
static int activate(struct virtio_mmio_dev *dev)
{
	struct virtio_balloon *b = dev->opaque;

	assign_roles(b, dev);
	for (unsigned q = 0; q < dev->ops->num_queues; q++)
		if (b->roles[q] != BALLOON_Q_NONE && !virtqueue_ready(&dev->vqs[q]))
			return -EINVAL;
	b->active = true;
	restart_clock(b);
	/*
	 * Linux posts its first stats buffer, and kicks, before DRIVER_OK; the
	 * transport drops kicks until now. Every queue is looked at once the
	 * device is up (on the I/O thread, through its ioeventfd), so that
	 * buffer is read and the stats timer has one to give back.
	 */
	for (unsigned q = 0; q < dev->ops->num_queues; q++)
		if (b->roles[q] != BALLOON_Q_NONE)
			virtio_mmio_defer(dev, q);
	return 0;
}

/* What the driver put in the balloon is its own again; config space keeps the host's target. */
static void reset(struct virtio_mmio_dev *dev)
{
	struct virtio_balloon *b = dev->opaque;

	b->active = false;
	b->stats_held = false;
	b->stats_queue = -1;
	memset(b->roles, 0, sizeof(b->roles));
	b->actual = 0;
	virtio_balloon_pages_reset(b);
}

struct serve_ctx {
	struct virtio_balloon *b;
	unsigned queue;
};

/* One chain of a queue, as its role says; every chain goes back at once but the stats buffer. */
static bool serve(void *opaque, const struct virtqueue_elem *elem)
{
	struct serve_ctx *c = opaque;
	struct virtio_balloon *b = c->b;

	switch (b->roles[c->queue]) {
	case BALLOON_Q_STATS:
		virtio_balloon_stats_chain(b, c->queue, elem);
		return true;
	case BALLOON_Q_INFLATE:
		virtio_balloon_pfns(b, elem, true);
		break;
	case BALLOON_Q_DEFLATE:
		virtio_balloon_pfns(b, elem, false);
		break;
	case BALLOON_Q_REPORTING:
		virtio_balloon_report(b, elem);
		break;
	default:
		break;
	}
	virtqueue_push(&b->dev->vqs[c->queue], elem->head, 0);
	return true;
}

static void queue_notify(struct virtio_mmio_dev *dev, unsigned queue)
{
	struct virtio_balloon *b = dev->opaque;
	struct iovec iov[VIRTIO_BALLOON_CHAIN_IOVS];
	struct virtqueue_elem elem = { .iov = iov, .iov_cap = VIRTIO_BALLOON_CHAIN_IOVS };
	struct serve_ctx c = { b, queue };
	int ret;

	/* A queue the driver set up but did not negotiate a use for is left alone. */
	if (!b->active || b->roles[queue] == BALLOON_Q_NONE)
		return;
	ret = virtio_mmio_serve(dev, queue, &elem, serve, &c);
	if (ret >= 0)
		virtio_mmio_signal_used(dev, queue);
	else {
		log_error("virtio-balloon: the guest broke the ring rules (%s); device needs reset",
			  virtqueue_error_text(ret));
		b->active = false;
		virtio_mmio_needs_reset(dev);
	}
}

int virtio_balloon_init(struct virtio_balloon *b, const struct virtio_balloon_options *o,
			const struct guest_mem *mem, struct event_loop *loop)
{
	uint64_t features = 0;
	unsigned nq = 2;
	int ret;

	memset(b, 0, sizeof(*b));
	b->mem = mem;
	b->loop = loop;
	b->timer_fd = -1;
	b->stats_queue = -1;
	b->stats.age_ms = -1;
	b->npages = mem->size / VIRTIO_BALLOON_PAGE;
	/* Untouched until the guest inflates: calloc of this size is fresh zero pages. */
	b->bitmap = calloc((size_t)((b->npages + 63) / 64), sizeof(uint64_t));
	if (!b->bitmap)
		return -ENOMEM;
	if (o->stats_interval) {
		features |= 1ull << VIRTIO_BALLOON_F_STATS_VQ;
		nq++;
	}
	if (o->deflate_on_oom)
		features |= 1ull << VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	if (o->free_page_reporting) {
		features |= 1ull << VIRTIO_BALLOON_F_REPORTING;
		nq++;
	}
	b->ops = (struct virtio_device_ops){
		.name = "virtio-balloon",
		.device_id = VIRTIO_ID_BALLOON,
		.features = features,
		.num_queues = nq,
		.config_size = sizeof(struct virtio_balloon_config),
		.config_read = config_read,
		.config_write = config_write,
		.activate = activate,
		.reset = reset,
		.queue_notify = queue_notify,
	};
	for (unsigned q = 0; q < nq; q++)
		b->ops.queue_max[q] = VIRTIO_BALLOON_QUEUE_SIZE;
	restart_clock(b);
	if (loop && o->stats_interval) {
		ret = virtio_balloon_timer_start(b, o->stats_interval);
		if (ret < 0) {
			free(b->bitmap);
			b->bitmap = NULL;
			return ret;
		}
	}
	return 0;
}

int virtio_balloon_set_target(struct virtio_balloon *b, uint64_t size)
{
	uint64_t ram = b->mem->size;

	if (size == 0 || size > ram)
		return -ERANGE;
	virtio_mmio_lock(b->dev);
	b->num_pages = (uint32_t)((ram - size) / VIRTIO_BALLOON_PAGE);
	restart_clock(b);
	/* A driver not up yet reads num_pages when it probes. */
	if (b->active)
		virtio_mmio_config_changed(b->dev);
	virtio_mmio_unlock(b->dev);
	return 0;
}

/* RAM less PAGES balloon pages, in bytes; 0 when PAGES is more than all of it. */
static uint64_t guest_size(const struct virtio_balloon *b, uint32_t pages)
{
	uint64_t balloon = (uint64_t)pages * VIRTIO_BALLOON_PAGE;

	return balloon > b->mem->size ? 0 : b->mem->size - balloon;
}

void virtio_balloon_info(struct virtio_balloon *b, struct virtio_balloon_info *info)
{
	struct timespec now;

	memset(info, 0, sizeof(*info));
	clock_gettime(CLOCK_MONOTONIC, &now);
	virtio_mmio_lock(b->dev);
	info->ready = b->active;
	info->stats_vq = b->active && b->stats_queue >= 0;
	info->deflate_on_oom = b->active &&
			       virtio_mmio_has_feature(b->dev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
	info->free_page_reporting = b->active &&
				    virtio_mmio_has_feature(b->dev, VIRTIO_BALLOON_F_REPORTING);
	info->memory = b->mem->size;
	info->num_pages = b->num_pages;
	info->actual_pages = b->actual;
	info->target = guest_size(b, b->num_pages);
	info->actual = guest_size(b, b->actual);
	info->in_balloon = b->in_balloon;
	info->reached_ms = b->reached_ms;
	info->stats = b->stats;
	if (b->counters.stats_updates)
		info->stats.age_ms = ms_between(&b->stats_at, &now);
	info->counters = b->counters;
	virtio_mmio_unlock(b->dev);
}
