/* Unit tests of virtio-blk over a fake disk: requests, the discard limits, the in-flight bound, the turn budget. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "check.h"
#include "fake_ring.h"
#include "util/iov.h"
#include "virtio/virtio_blk.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define DESC 0x1000
#define AVAIL 0x3000
#define USED 0x4000
#define BUFS 0x10000		/* request buffers: 4 KiB each from here */
#define DISK_SIZE (1u << 20)
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR VIRTIO_CONFIG_S_NEEDS_RESET

/* A disk in memory whose requests can be held at a gate, as a slow host disk would hold them. */
struct fake_disk {
	struct block_backend base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool gate_closed;
	unsigned waiting;		/* requests held at the gate now */
	unsigned calls;			/* backend operations started */
	char log[256];			/* discards and write-zeroes, in order */
	uint8_t data[DISK_SIZE];
};

struct t {
	struct fake_disk disk;
	struct virtio_blk blk;
	struct virtio_mmio_dev dev;
	struct guest_mem gm;
	uint8_t *ram;
	struct fake_ring q;
	unsigned irqs;
};

static struct fake_disk *disk_of(struct block_backend *b)
{
	return (struct fake_disk *)b;
}

/* Every operation passes the gate first. */
static void gate(struct fake_disk *d)
{
	pthread_mutex_lock(&d->lock);
	d->calls++;
	d->waiting++;
	while (d->gate_closed)
		pthread_cond_wait(&d->cond, &d->lock);
	d->waiting--;
	pthread_mutex_unlock(&d->lock);
}

static int d_preadv(struct block_backend *b, const struct iovec *iov, int n, uint64_t off)
{
	gate(disk_of(b));
	iov_from_buf(iov, (unsigned)n, 0, disk_of(b)->data + off, iov_size(iov, (unsigned)n));
	return 0;
}

static int d_pwritev(struct block_backend *b, const struct iovec *iov, int n, uint64_t off)
{
	gate(disk_of(b));
	iov_to_buf(iov, (unsigned)n, 0, disk_of(b)->data + off, iov_size(iov, (unsigned)n));
	return 0;
}

static int d_flush(struct block_backend *b)
{
	gate(disk_of(b));
	return 0;
}

static int d_discard(struct block_backend *b, uint64_t off, uint64_t len)
{
	gate(disk_of(b));
	check_log(disk_of(b)->log, sizeof(disk_of(b)->log), "discard %llu+%llu;",
		  (unsigned long long)off, (unsigned long long)len);
	return 0;
}

static int d_write_zeroes(struct block_backend *b, uint64_t off, uint64_t len, bool unmap)
{
	gate(disk_of(b));
	check_log(disk_of(b)->log, sizeof(disk_of(b)->log), "zeroes %llu+%llu%s;",
		  (unsigned long long)off, (unsigned long long)len, unmap ? " unmap" : "");
	return 0;
}

static void d_close(struct block_backend *b)
{
	(void)b;
}

static const struct block_ops disk_ops = {
	d_preadv, d_pwritev, d_flush, d_discard, d_write_zeroes, d_close,
};

static void raise_irq(void *opaque)
{
	__atomic_fetch_add(&((struct t *)opaque)->irqs, 1, __ATOMIC_SEQ_CST);
}

/*
 * Worker threads live on with the device (they have no stop): each test's
 * fixture is static, so that nothing they can still reach is ever freed.
 */
static void t_init(struct t *t, unsigned qsize)
{
	struct virtio_mmio_host host = { .raise_irq = raise_irq, .opaque = t };

	t->disk.base = (struct block_backend){ .ops = &disk_ops, .size = DISK_SIZE };
	pthread_mutex_init(&t->disk.lock, NULL);
	pthread_cond_init(&t->disk.cond, NULL);
	t->ram = aligned_alloc(4096, RAM_SIZE);
	memset(t->ram, 0, RAM_SIZE);
	guest_mem_init_at(&t->gm, t->ram, RAM_SIZE);
	CHECK(virtio_blk_init(&t->blk, &t->disk.base, "capsule-disk") == 0);
	CHECK(virtio_blk_start(&t->blk, NULL) == 0);
	CHECK(virtio_mmio_init(&t->dev, virtio_blk_ops(&t->blk), &t->blk, &t->gm, &host) == 0);
	t->blk.dev = &t->dev;
	t->q = (struct fake_ring){ .size = (uint16_t)qsize };
	CHECK(vdrv_negotiate(&t->dev, 1ull << VIRTIO_F_VERSION_1) & VIRTIO_CONFIG_S_FEATURES_OK);
	CHECK(vdrv_setup_queue(&t->dev, 0, qsize, DESC, AVAIL, USED) == 1);
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS) | S_DOK);
}

static void set_gate(struct t *t, bool closed)
{
	pthread_mutex_lock(&t->disk.lock);
	t->disk.gate_closed = closed;
	pthread_cond_broadcast(&t->disk.cond);
	pthread_mutex_unlock(&t->disk.lock);
}

/* The 4 KiB request buffer N: header at +0, data at +512 (DATA bytes), status byte at +4095. */
static uint64_t buf(unsigned n)
{
	return BUFS + 4096ull * n;
}

/* Post request N of TYPE at SECTOR with DATA bytes of data (to or from the device). */
static uint16_t post(struct t *t, unsigned n, uint32_t type, uint64_t sector, uint32_t data)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	struct seg s[3] = { { buf(n), sizeof(h), false } };
	unsigned k = 1;

	memcpy(t->ram + buf(n), &h, sizeof(h));
	t->ram[buf(n) + 4095] = 0xee;
	if (data)
		s[k++] = (struct seg){ buf(n) + 512, data, in };
	s[k++] = (struct seg){ buf(n) + 4095, 1, true };
	return fake_ring_post(&t->q, t->ram + DESC, t->ram + AVAIL, s, k);
}

static void notify(struct t *t)
{
	vdrv_wr(&t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/* Wait (5 s at most) for the next used entry; its id, or -1. */
static int wait_used(struct t *t, uint32_t *len)
{
	uint16_t id;
	uint32_t l;

	for (int i = 0; i < 5000; i++) {
		if (fake_ring_used_next(&t->q, t->ram + USED, &id, &l)) {
			if (len)
				*len = l;
			return id;
		}
		usleep(1000);
	}
	return -1;
}

/* Post request N, notify, wait for it: its status byte (0xee: none). */
static uint8_t run_req(struct t *t, unsigned n, uint32_t type, uint64_t sector, uint32_t data)
{
	uint16_t head = post(t, n, type, sector, data);

	notify(t);
	CHECK(wait_used(t, NULL) == head);
	return t->ram[buf(n) + 4095];
}

/* A discard or write-zeroes request: its one segment is the data. */
static uint8_t run_range(struct t *t, uint32_t type, uint64_t sector, uint32_t num, uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes r = { .sector = sector, .num_sectors = num,
						     .flags = flags };

	memcpy(t->ram + buf(0) + 512, &r, sizeof(r));
	return run_req(t, 0, type, 0, sizeof(r));
}

static struct t rw_t, discard_t, inflight_t, budget_t;

static void requests(void)
{
	struct t *t = &rw_t;
	uint32_t len;

	t_init(t, 16);
	memset(t->ram + buf(1) + 512, 0x5a, 1024);
	CHECK(run_req(t, 1, VIRTIO_BLK_T_OUT, 8, 1024) == VIRTIO_BLK_S_OK);
	CHECK(t->disk.data[8 * 512] == 0x5a && t->disk.data[8 * 512 + 1023] == 0x5a);
	CHECK(t->disk.data[8 * 512 + 1024] == 0);
	CHECK(run_req(t, 2, VIRTIO_BLK_T_IN, 8, 2048) == VIRTIO_BLK_S_OK);
	CHECK(t->ram[buf(2) + 512] == 0x5a && t->ram[buf(2) + 512 + 1024] == 0);
	CHECK(run_req(t, 3, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_LEN) == VIRTIO_BLK_S_OK);
	CHECK(!memcmp(t->ram + buf(3) + 512, "capsule-disk", 13));
	CHECK(run_req(t, 4, VIRTIO_BLK_T_FLUSH, 0, 0) == VIRTIO_BLK_S_OK);
	CHECK(run_req(t, 5, 77, 0, 0) == VIRTIO_BLK_S_UNSUPP);
	/* Beyond the disk, or not whole sectors. */
	CHECK(run_req(t, 6, VIRTIO_BLK_T_IN, DISK_SIZE / 512, 512) == VIRTIO_BLK_S_IOERR);
	CHECK(run_req(t, 6, VIRTIO_BLK_T_OUT, 0, 100) == VIRTIO_BLK_S_IOERR);
	/* No status byte at all: the chain comes back empty. */
	fake_ring_post(&t->q, t->ram + DESC, t->ram + AVAIL,
		       (struct seg[]){ { buf(7), 16, false } }, 1);
	notify(t);
	CHECK(wait_used(t, &len) >= 0 && len == 0);
	CHECK(!(vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS) & S_NR) && t->irqs > 0);
}

/* What config space advertises for discard and write-zeroes is what the device enforces. */
static void discard_limits(void)
{
	struct t *t = &discard_t;
	const uint32_t max = VIRTIO_BLK_DISCARD_MAX_SECTORS;

	t_init(t, 16);
	CHECK(vdrv_read(&t->dev, 0x100 + offsetof(struct virtio_blk_config, max_discard_sectors), 4) ==
	      max);
	CHECK(vdrv_read(&t->dev, 0x100 + offsetof(struct virtio_blk_config, discard_sector_alignment),
			4) == VIRTIO_BLK_DISCARD_ALIGN_SECTORS);
	/* Only the aligned core of a discard reaches the disk; a discard inside one page, nothing. */
	CHECK(run_range(t, VIRTIO_BLK_T_DISCARD, 3, 21, 0) == VIRTIO_BLK_S_OK);
	CHECK(run_range(t, VIRTIO_BLK_T_DISCARD, 9, 6, 0) == VIRTIO_BLK_S_OK);
	CHECK(run_range(t, VIRTIO_BLK_T_DISCARD, 0, max + 1, 0) == VIRTIO_BLK_S_IOERR);
	CHECK(run_range(t, VIRTIO_BLK_T_DISCARD, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ==
	      VIRTIO_BLK_S_UNSUPP);
	/* Write-zeroes is exact, may unmap, and knows no other flag. */
	CHECK(run_range(t, VIRTIO_BLK_T_WRITE_ZEROES, 3, 5, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ==
	      VIRTIO_BLK_S_OK);
	CHECK(run_range(t, VIRTIO_BLK_T_WRITE_ZEROES, 3, 5, 2) == VIRTIO_BLK_S_UNSUPP);
	CHECK(run_range(t, VIRTIO_BLK_T_WRITE_ZEROES, 0, max + 1, 0) == VIRTIO_BLK_S_IOERR);
	CHECK(run_range(t, VIRTIO_BLK_T_WRITE_ZEROES, DISK_SIZE / 512 - 1, 2, 0) ==
	      VIRTIO_BLK_S_IOERR);
	CHECK_STR(t->disk.log, "discard 4096+8192;zeroes 1536+2560 unmap;");
}

/* Wait (5 s at most) until the disk holds N requests at its gate. */
static bool wait_waiting(struct t *t, unsigned n)
{
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(&t->disk.waiting, __ATOMIC_SEQ_CST) == n)
			return true;
		usleep(1000);
	}
	return false;
}

/*
 * A guest that makes the same head available again while the device holds
 * it: the device takes at most the queue's size, then needs a reset.
 */
static void inflight_bound(void)
{
	struct t *t = &inflight_t;
	struct vring_avail *avail;
	uint16_t head;

	t_init(t, 8);
	avail = (struct vring_avail *)(t->ram + AVAIL);
	set_gate(t, true);
	head = post(t, 0, VIRTIO_BLK_T_FLUSH, 0, 0);
	for (unsigned i = 1; i < 8; i++) {
		avail->ring[t->q.avail_idx % 8] = head;
		avail->idx = ++t->q.avail_idx;
	}
	notify(t);
	CHECK(wait_waiting(t, VIRTIO_BLK_WORKERS) && t->blk.inflight == 8);
	CHECK(!(vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS) & S_NR));
	/* The ring has room again in its index window, but 8 are in flight. */
	for (unsigned i = 0; i < 8; i++) {
		avail->ring[t->q.avail_idx % 8] = head;
		avail->idx = ++t->q.avail_idx;
	}
	notify(t);
	CHECK(t->blk.inflight == 8 && (vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS) & S_NR));
	set_gate(t, false);
	/* The reset waits for what is in flight; nothing is left behind. */
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, 0);
	CHECK(t->blk.inflight == 0 && t->disk.calls == 8);
}

/* A full ring is served a turn's budget at a time, the rest deferred to later turns. */
static void turn_budget(void)
{
	struct t *t = &budget_t;
	const unsigned n = 100, b = VIRTIO_MMIO_TURN_BUDGET;
	unsigned served = 0;

	t_init(t, 256);
	for (unsigned i = 0; i < n; i++)
		post(t, i % 64, VIRTIO_BLK_T_FLUSH, 0, 0);
	set_gate(t, true);
	notify(t);
	CHECK(t->blk.inflight == b && (t->dev.deferred & 1));
	set_gate(t, false);
	while (served < n && wait_used(t, NULL) >= 0)
		served++;
	CHECK(served == b);
	virtio_mmio_queue_notify(&t->dev, 0);	/* the deferred turn */
	CHECK(!(t->dev.deferred & 1));
	while (served < n && wait_used(t, NULL) >= 0)
		served++;
	CHECK(served == n && t->disk.calls == n);
	CHECK(!(vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS) & S_NR));
}

static struct t shutdown_t;
static bool reading;

/* A vCPU reading config space over and over: the disk's capacity, in sectors. */
static void *read_capacity(void *arg)
{
	struct t *t = arg;
	uint64_t seen = 0;

	while (__atomic_load_n(&reading, __ATOMIC_ACQUIRE)) {
		uint64_t v = vdrv_read(&t->dev, 0x100, 8);

		if (v != DISK_SIZE / 512 && v != 0)
			seen = v;
	}
	return (void *)(uintptr_t)seen;
}

/*
 * The disk is shut down while a vCPU that did not stop keeps reading its
 * config space: it sees the capacity, then 0, never a closed backend.
 */
static void shutdown_while_reading(void)
{
	struct t *t = &shutdown_t;
	pthread_t reader;
	void *odd;

	t_init(t, 16);
	CHECK(run_req(t, 0, VIRTIO_BLK_T_FLUSH, 0, 0) == VIRTIO_BLK_S_OK);
	__atomic_store_n(&reading, true, __ATOMIC_RELEASE);
	CHECK(pthread_create(&reader, NULL, read_capacity, t) == 0);
	usleep(2000);
	virtio_blk_shutdown(&t->blk);
	usleep(2000);
	__atomic_store_n(&reading, false, __ATOMIC_RELEASE);
	pthread_join(reader, &odd);
	CHECK(odd == NULL && t->blk.backend == NULL);
	CHECK(vdrv_read(&t->dev, 0x100, 8) == 0);
}

int main(void)
{
	RUN(requests);
	RUN(discard_limits);
	RUN(inflight_bound);
	RUN(turn_budget);
	RUN(shutdown_while_reading);
	return CHECK_SUMMARY();
}
