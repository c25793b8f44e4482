/* virtio-balloon: the guest gives RAM back and takes it again, and reports its memory statistics. */
#ifndef CAPSULE_VIRTIO_BALLOON_H
#define CAPSULE_VIRTIO_BALLOON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <linux/virtio_balloon.h>

#include "event_loop.h"
#include "guest_mem.h"
#include "virtio/virtio_mmio.h"

#define VIRTIO_BALLOON_PAGE 4096u	/* the balloon's page, whatever the guest's own */
/* Every queue's size: free page reporting needs 32 (Linux refuses a smaller queue). */
#define VIRTIO_BALLOON_QUEUE_SIZE 128
/* Inflate and deflate entries read from a chain (Linux sends at most 256); the rest are bad. */
#define VIRTIO_BALLOON_PFNS_MAX 1024
#define VIRTIO_BALLOON_STATS_MAX 32	/* stats entries read from one buffer (Linux sends at most 10) */
#define VIRTIO_BALLOON_CHAIN_IOVS 64	/* buffers in one chain; a longer one breaks the ring */

/* What a queue is for: numbered in this order, leaving out what the driver did not negotiate. */
enum virtio_balloon_role {
	BALLOON_Q_NONE,
	BALLOON_Q_INFLATE,
	BALLOON_Q_DEFLATE,
	BALLOON_Q_STATS,
	BALLOON_Q_REPORTING,
};

/* The [balloon] settings the device needs. */
struct virtio_balloon_options {
	unsigned stats_interval;	/* seconds between stats requests; 0: no stats queue */
	bool deflate_on_oom;		/* offer VIRTIO_BALLOON_F_DEFLATE_ON_OOM */
	bool free_page_reporting;	/* offer VIRTIO_BALLOON_F_REPORTING */
};

/* The guest's latest memory statistics (VIRTIO_BALLOON_S_*: bytes; counts for faults, hugetlb). */
struct virtio_balloon_stats {
	uint32_t present;		/* bit per tag the latest buffer carried */
	uint64_t val[VIRTIO_BALLOON_S_NR];
	int64_t age_ms;			/* since the device read them; -1: none yet */
};

/*
 * What happened, in 4 KiB pages unless said otherwise; each only grows (a
 * reset of the device by the guest keeps them).
 */
struct virtio_balloon_counters {
	uint64_t inflated;		/* pages put in the balloon: each once while it stays there */
	uint64_t deflated;		/* pages taken back out */
	uint64_t released;		/* inflated pages released to the host (madvise) */
	uint64_t reported;		/* pages in free page reports, released at once; a page the
					 * guest reuses and frees again is reported (and counted) again */
	uint64_t bad_pfns;		/* entries naming no guest RAM, partial, or past a chain's
					 * VIRTIO_BALLOON_PFNS_MAX: ignored */
	uint64_t duplicates;		/* inflating a page in the balloon, deflating one not in it */
	uint64_t bad_reports;		/* report buffers holding no whole page: ignored */
	uint64_t stats_updates;		/* stats buffers read */
	uint64_t bad_stats;		/* unknown or repeated tags, partial or excess entries */
	uint64_t release_errors;	/* madvise failures (none expected) */
};

/* A snapshot for the rest of capsule (the control socket). */
struct virtio_balloon_info {
	bool ready;			/* the driver is up (DRIVER_OK) */
	bool stats_vq, deflate_on_oom, free_page_reporting;	/* negotiated */
	uint64_t memory;		/* guest RAM, bytes */
	uint64_t target;		/* guest size the host asks for: memory - num_pages pages */
	uint64_t actual;		/* guest size the driver reports: memory - actual pages (0 if
					 * it claims more than all of RAM) */
	uint32_t num_pages, actual_pages;	/* config space as it is */
	uint64_t in_balloon;		/* pages the device holds in the balloon now */
	int64_t reached_ms;		/* from the latest target change (or the driver's start, if
					 * later) to actual == num_pages; -1 while not there */
	struct virtio_balloon_stats stats;
	struct virtio_balloon_counters counters;
};

/*
 * Threads: the queues and the stats timer run on the I/O thread, config space,
 * activate and reset on vCPU threads, each under the transport's device lock.
 * The host API below is for the I/O thread and takes that lock itself.
 */
struct virtio_balloon {
	struct virtio_mmio_dev *dev;	/* the transport, set once added to the bus */
	struct virtio_device_ops ops;	/* features and queues follow the options */
	const struct guest_mem *mem;
	struct event_loop *loop;
	int timer_fd;			/* the stats timer, -1 without one */
	uint64_t *bitmap;		/* bit per 4 KiB of RAM: in the balloon */
	uint64_t npages;		/* RAM pages: the bitmap's bits */
	uint64_t in_balloon;		/* bits set */
	/* Device state since the last reset. */
	bool active;			/* activated, not broken */
	enum virtio_balloon_role roles[VIRTIO_MMIO_QUEUES_MAX];
	int stats_queue;		/* its index, -1 when not negotiated */
	bool stats_held;		/* the driver's stats buffer is with the device */
	uint16_t stats_head;
	/* Config space. */
	uint32_t num_pages, actual;
	struct timespec target_at;	/* when num_pages changed or the driver started */
	int64_t reached_ms;
	struct virtio_balloon_stats stats;	/* age_ms unused here: stats_at says */
	struct timespec stats_at;
	struct virtio_balloon_counters counters;
};

/*
 * Set B up for guest RAM MEM with options O: the page bitmap (a bit per
 * 4 KiB of RAM, allocated now) and, with LOOP and a stats interval, the stats
 * timer in LOOP. Start-up, before the sandbox. Give virtio_bus_add()
 * &b->ops with B as opaque and store the transport in b->dev. 0 or -errno.
 */
int virtio_balloon_init(struct virtio_balloon *b, const struct virtio_balloon_options *o,
			const struct guest_mem *mem, struct event_loop *loop);

/*
 * Ask for a guest of SIZE bytes: num_pages becomes (RAM - SIZE) / 4 KiB, so
 * the guest keeps at least SIZE, and a driver that is up gets a config-change
 * interrupt. Before the guest runs (a target set at start) or on the I/O
 * thread. Returns 0, or -ERANGE when SIZE is 0 or more than RAM.
 */
int virtio_balloon_set_target(struct virtio_balloon *b, uint64_t size);

/* A snapshot of the device's state, statistics and counters into INFO. I/O thread. */
void virtio_balloon_info(struct virtio_balloon *b, struct virtio_balloon_info *info);

/*
 * Ask the guest for fresh statistics: give back its stats buffer, which it
 * refills and posts again. Never waits: without a buffer to give back (no
 * stats queue, or the guest has not posted the next one yet) it does nothing
 * and returns -EAGAIN; 0 when asked. The stats timer calls it every
 * stats_interval. I/O thread.
 */
int virtio_balloon_request_stats(struct virtio_balloon *b);

/* The parts of the device (virtio_balloon_pages.c, _stats.c); device lock held, I/O thread. */
void virtio_balloon_pfns(struct virtio_balloon *b, const struct virtqueue_elem *elem, bool inflate);
void virtio_balloon_report(struct virtio_balloon *b, const struct virtqueue_elem *elem);
void virtio_balloon_stats_chain(struct virtio_balloon *b, unsigned queue,
				const struct virtqueue_elem *elem);
/* The guest's reset: every page out of the balloon (the driver starts over). */
void virtio_balloon_pages_reset(struct virtio_balloon *b);
/* The stats timer: created, armed and added to the loop at start-up. 0 or -errno. */
int virtio_balloon_timer_start(struct virtio_balloon *b, unsigned seconds);

#endif
