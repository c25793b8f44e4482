/* virtio-balloon's statistics: the guest's buffer read and held, given back on a timer to ask again. */
#include "virtio/virtio_balloon.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "util/iov.h"

#define ENTRY 10	/* struct virtio_balloon_stat: le16 tag, le64 value, packed */

/* The stats the guest sent, in one CAPSULE_DEBUG line: "free-memory=... total-memory=...". */
static void log_stats(const struct virtio_balloon_stats *s)
{
	static const char *const names[VIRTIO_BALLOON_S_NR] = VIRTIO_BALLOON_S_NAMES;
	char line[512];
	size_t used = 0;

	line[0] = '\0';
	for (unsigned t = 0; t < VIRTIO_BALLOON_S_NR; t++)
		if (s->present & (1u << t))
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %s=%llu", names[t],
						 (unsigned long long)s->val[t]);
	log_debug("virtio-balloon: stats:%s", line);
}

/* Read the entries of a stats buffer into a fresh snapshot: the first value of each known tag. */
static void parse(struct virtio_balloon *b, const struct virtqueue_elem *elem)
{
	uint8_t buf[VIRTIO_BALLOON_STATS_MAX * ENTRY];
	size_t got = iov_to_buf(elem->iov, elem->n_readable, 0, buf, sizeof(buf));
	uint32_t len = elem->readable_len;
	struct virtio_balloon_stats s = { 0 };

	/* Entries past what is read, and a partial one at the end. */
	b->counters.bad_stats += len / ENTRY - got / ENTRY + (len % ENTRY != 0);
	for (size_t at = 0; at + ENTRY <= got; at += ENTRY) {
		uint16_t tag = (uint16_t)(buf[at] | buf[at + 1] << 8);
		uint64_t val;

		memcpy(&val, buf + at + 2, 8);	/* little-endian, as the host */
		if (tag >= VIRTIO_BALLOON_S_NR || (s.present & (1u << tag))) {
			b->counters.bad_stats++;
			continue;
		}
		s.present |= 1u << tag;
		s.val[tag] = val;
	}
	s.age_ms = -1;
	b->stats = s;
	clock_gettime(CLOCK_MONOTONIC, &b->stats_at);
	b->counters.stats_updates++;
	log_stats(&b->stats);
}

/*
 * The driver posts one buffer and the device keeps it until it wants fresh
 * numbers (giving it back is the request). A driver that posts another
 * while the device holds one gets the older one back at once.
 */
void virtio_balloon_stats_chain(struct virtio_balloon *b, unsigned queue,
				const struct virtqueue_elem *elem)
{
	parse(b, elem);
	if (b->stats_held)
		virtqueue_push(&b->dev->vqs[queue], b->stats_head, 0);
	b->stats_held = true;
	b->stats_head = elem->head;
}

int virtio_balloon_request_stats(struct virtio_balloon *b)
{
	int ret = -EAGAIN;

	virtio_mmio_lock(b->dev);
	if (b->active && b->stats_queue >= 0 && b->stats_held) {
		virtqueue_push(&b->dev->vqs[b->stats_queue], b->stats_head, 0);
		b->stats_held = false;
		virtio_mmio_signal_used(b->dev, (unsigned)b->stats_queue);
		ret = 0;
	}
	virtio_mmio_unlock(b->dev);
	return ret;
}

/* Every stats_interval on the I/O thread; a guest that has not refilled yet is asked next time. */
static void on_timer(void *opaque, uint32_t events)
{
	struct virtio_balloon *b = opaque;
	uint64_t expirations;

	(void)events;
	if (read(b->timer_fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	virtio_balloon_request_stats(b);
}

/*
 * Periodic from the start, so nothing re-arms it later (no timerfd_settime
 * under the sandbox): a tick before the driver is up finds nothing to do.
 */
int virtio_balloon_timer_start(struct virtio_balloon *b, unsigned seconds)
{
	struct itimerspec t = { { seconds, 0 }, { seconds, 0 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &t, NULL) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = event_loop_add(b->loop, fd, EPOLLIN, on_timer, b);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	b->timer_fd = fd;
	return 0;
}
