/* Unit tests of virtio-balloon over fake guest RAM with the 4 GiB hole: PFNs, stats, reports, target, reset. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "check.h"
#include "fake_ring.h"
#include "virtio/virtio_balloon.h"
#include "virtio_driver.h"

/* 3 GiB below the hole and 8 MiB above 4 GiB, reserved but touched only where a test writes. */
#define LOW (3ull << 30)
#define HIGH_SIZE (8ull << 20)
#define RAM_SIZE (LOW + HIGH_SIZE)
#define RINGS 0x10000		/* queue q: descriptors at RINGS + q * 0x4000, avail +0x1000, used +0x2000 */
#define BUFS 0x40000		/* PFN arrays and stats buffers: 16 KiB each from here */
#define DATA_PFN 0x100		/* pages the tests balloon: from 1 MiB on */
#define HIGH_PFN (GUEST_MEM_HIGH_START / 4096)
#define QSIZE VIRTIO_BALLOON_QUEUE_SIZE
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR VIRTIO_CONFIG_S_NEEDS_RESET
#define F(bit) (1ull << VIRTIO_BALLOON_F_##bit)
#define ALL_FEATURES (F(STATS_VQ) | F(DEFLATE_ON_OOM) | F(REPORTING))

enum { Q_INFLATE, Q_DEFLATE, Q_STATS, Q_REPORT };

struct t {
	struct virtio_balloon b;
	struct virtio_mmio_dev dev;
	struct guest_mem gm;
	uint8_t *ram;
	struct fake_ring q[4];
	unsigned irqs;
};

static void raise_irq(void *opaque)
{
	((struct t *)opaque)->irqs++;
}

/* The host address of guest address GPA, in either region. */
static uint8_t *host(struct t *t, uint64_t gpa)
{
	return t->ram + (gpa < LOW ? gpa : LOW + gpa - GUEST_MEM_HIGH_START);
}

static uint64_t ring(unsigned q, unsigned part)
{
	return RINGS + q * 0x4000ull + part * 0x1000ull;
}

/* The device with options O, up to FEATURES_OK with FEATURES; then NQ queues, not DRIVER_OK yet. */
static void t_setup(struct t *t, const struct virtio_balloon_options *o, uint64_t features,
		    unsigned nq)
{
	struct virtio_mmio_host h = { .raise_irq = raise_irq, .opaque = t };

	memset(t, 0, sizeof(*t));
	t->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(t->ram != MAP_FAILED);
	guest_mem_init_at(&t->gm, t->ram, RAM_SIZE);
	CHECK(virtio_balloon_init(&t->b, o, &t->gm, NULL) == 0);
	CHECK(virtio_mmio_init(&t->dev, &t->b.ops, &t->b, &t->gm, &h) == 0);
	t->b.dev = &t->dev;
	CHECK(vdrv_negotiate(&t->dev, features | 1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < nq; q++) {
		t->q[q] = (struct fake_ring){ .size = QSIZE };
		CHECK(vdrv_setup_queue(&t->dev, q, QSIZE, ring(q, 0), ring(q, 1), ring(q, 2)) == 1);
	}
}

static void driver_ok(struct t *t)
{
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS) | S_DOK);
}

/* The same, and DRIVER_OK. */
static void t_init(struct t *t, const struct virtio_balloon_options *o, uint64_t features,
		   unsigned nq)
{
	t_setup(t, o, features, nq);
	driver_ok(t);
}

static void t_free(struct t *t)
{
	virtio_mmio_destroy(&t->dev);
	free(t->b.bitmap);
	munmap(t->ram, RAM_SIZE);
}

/* Every option on: inflate, deflate, stats and reporting queues, all negotiated. */
static void t_full(struct t *t)
{
	const struct virtio_balloon_options o = { 5, true, true };

	t_init(t, &o, ALL_FEATURES, 4);
}

/* Post the N segments S on queue Q and notify; returns the head. */
static uint16_t post(struct t *t, unsigned q, const struct seg *s, unsigned n)
{
	uint16_t head = fake_ring_post(&t->q[q], host(t, ring(q, 0)), host(t, ring(q, 1)), s, n);

	vdrv_wr(&t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	return head;
}

/* Post N PFNs as one buffer (buffer slot K) on queue Q; returns the head. */
static uint16_t post_pfns(struct t *t, unsigned q, unsigned k, const uint32_t *pfns, unsigned n)
{
	uint64_t at = BUFS + 0x4000ull * k;
	struct seg s = { at, n * 4, false };

	memcpy(host(t, at), pfns, n * 4);
	return post(t, q, &s, 1);
}

/* Whether chain HEAD came back on queue Q, next. */
static bool used(struct t *t, unsigned q, uint16_t head)
{
	uint16_t id;
	uint32_t len;

	return fake_ring_used_next(&t->q[q], host(t, ring(q, 2)), &id, &len) && id == head &&
	       len == 0;
}

static struct virtio_balloon_info info(struct t *t)
{
	struct virtio_balloon_info i;

	virtio_balloon_info(&t->b, &i);
	return i;
}

/* Fill guest page PFN with BYTE; the device's release must turn it to zeroes. */
static void fill(struct t *t, uint64_t pfn, uint8_t byte)
{
	memset(host(t, pfn * 4096), byte, 4096);
}

static bool page_is(struct t *t, uint64_t pfn, uint8_t byte)
{
	const uint8_t *p = host(t, pfn * 4096);

	for (unsigned i = 0; i < 4096; i++)
		if (p[i] != byte)
			return false;
	return true;
}

static void inflate_deflate(void)
{
	static struct t t;
	/* A run of three, one alone, one above the hole. */
	const uint32_t pfns[] = { DATA_PFN + 2, DATA_PFN, DATA_PFN + 1, DATA_PFN + 5, HIGH_PFN + 7 };
	uint16_t h;

	t_full(&t);
	for (unsigned i = 0; i < 5; i++)
		fill(&t, pfns[i], 0xaa);
	fill(&t, DATA_PFN + 3, 0xaa);
	fill(&t, HIGH_PFN + 8, 0xaa);
	h = post_pfns(&t, Q_INFLATE, 0, pfns, 5);
	CHECK(used(&t, Q_INFLATE, h) && t.irqs == 1);
	for (unsigned i = 0; i < 5; i++)
		CHECK(page_is(&t, pfns[i], 0));
	/* Their neighbours stay as they were. */
	CHECK(page_is(&t, DATA_PFN + 3, 0xaa) && page_is(&t, HIGH_PFN + 8, 0xaa));
	CHECK(info(&t).in_balloon == 5 && info(&t).counters.inflated == 5);
	CHECK(info(&t).counters.released == 5 && info(&t).counters.bad_pfns == 0);
	/* Deflated pages are the guest's again: nothing happens to them. */
	fill(&t, DATA_PFN, 0x55);
	h = post_pfns(&t, Q_DEFLATE, 1, pfns + 1, 1);
	CHECK(used(&t, Q_DEFLATE, h));
	CHECK(page_is(&t, DATA_PFN, 0x55));
	CHECK(info(&t).in_balloon == 4 && info(&t).counters.deflated == 1);
	CHECK(!(vdrv_rd(&t.dev, VIRTIO_MMIO_STATUS) & S_NR));
	t_free(&t);
}

static void bad_pfns(void)
{
	static struct t t;
	const uint32_t pfns[] = {
		LOW / 4096,			/* the hole's first page */
		HIGH_PFN - 1,			/* its last */
		HIGH_PFN + HIGH_SIZE / 4096,	/* past the end of RAM */
		0xffffffff,
		DATA_PFN,			/* the one good one */
	};
	uint16_t h;

	t_full(&t);
	h = post_pfns(&t, Q_INFLATE, 0, pfns, 5);
	CHECK(used(&t, Q_INFLATE, h));
	CHECK(info(&t).counters.bad_pfns == 4 && info(&t).in_balloon == 1);
	h = post_pfns(&t, Q_DEFLATE, 1, pfns, 4);
	CHECK(used(&t, Q_DEFLATE, h));
	CHECK(info(&t).counters.bad_pfns == 8 && info(&t).counters.deflated == 0);
	/* 6 bytes: one entry and half of another. */
	memcpy(host(&t, BUFS), (uint32_t[]){ DATA_PFN + 1, 0 }, 8);
	h = post(&t, Q_INFLATE, &(struct seg){ BUFS, 6, false }, 1);
	CHECK(used(&t, Q_INFLATE, h));
	CHECK(info(&t).counters.bad_pfns == 9 && info(&t).in_balloon == 2);
	CHECK(!(vdrv_rd(&t.dev, VIRTIO_MMIO_STATUS) & S_NR));
	t_free(&t);
}

/* A page put in twice, or taken out twice, counts once; so does one named twice in a request. */
static void duplicates(void)
{
	static struct t t;
	const uint32_t twice[] = { DATA_PFN, DATA_PFN + 1, DATA_PFN };
	uint16_t h;

	t_full(&t);
	h = post_pfns(&t, Q_INFLATE, 0, twice, 3);
	CHECK(used(&t, Q_INFLATE, h));
	CHECK(info(&t).counters.inflated == 2 && info(&t).counters.duplicates == 1);
	h = post_pfns(&t, Q_INFLATE, 1, twice, 2);
	CHECK(used(&t, Q_INFLATE, h));
	CHECK(info(&t).counters.inflated == 2 && info(&t).counters.released == 2);
	CHECK(info(&t).counters.duplicates == 3 && info(&t).in_balloon == 2);
	h = post_pfns(&t, Q_DEFLATE, 2, twice, 3);
	CHECK(used(&t, Q_DEFLATE, h));
	CHECK(info(&t).counters.deflated == 2 && info(&t).counters.duplicates == 4);
	CHECK(info(&t).in_balloon == 0);
	/* Out of the balloon, a page can go in again. */
	fill(&t, DATA_PFN, 0x11);
	h = post_pfns(&t, Q_INFLATE, 3, twice, 1);
	CHECK(used(&t, Q_INFLATE, h) && page_is(&t, DATA_PFN, 0));
	CHECK(info(&t).counters.inflated == 3 && info(&t).in_balloon == 1);
	t_free(&t);
}

/* A buffer of 16384 entries: the first VIRTIO_BALLOON_PFNS_MAX are read, the rest counted, none trusted. */
static void huge_counts(void)
{
	static struct t t;
	static uint32_t pfns[16384];
	uint16_t h;

	t_full(&t);
	for (unsigned i = 0; i < 16384; i++)
		pfns[i] = DATA_PFN + i;
	memcpy(host(&t, BUFS), pfns, sizeof(pfns));
	/* Split over two buffers, the cut inside an entry. */
	h = post(&t, Q_INFLATE,
		 (struct seg[]){ { BUFS, 4095, false }, { BUFS + 4095, 65536 - 4095, false } }, 2);
	CHECK(used(&t, Q_INFLATE, h));
	CHECK(info(&t).in_balloon == VIRTIO_BALLOON_PFNS_MAX);
	CHECK(info(&t).counters.bad_pfns == 16384 - VIRTIO_BALLOON_PFNS_MAX);
	CHECK(page_is(&t, DATA_PFN + VIRTIO_BALLOON_PFNS_MAX - 1, 0));
	/* A chain of more buffers than the device takes breaks the ring. */
	{
		struct seg s[VIRTIO_BALLOON_CHAIN_IOVS + 1];

		for (unsigned i = 0; i < VIRTIO_BALLOON_CHAIN_IOVS + 1; i++)
			s[i] = (struct seg){ BUFS + 4 * i, 4, false };
		post(&t, Q_DEFLATE, s, VIRTIO_BALLOON_CHAIN_IOVS + 1);
	}
	CHECK(vdrv_rd(&t.dev, VIRTIO_MMIO_STATUS) & S_NR);
	CHECK(!info(&t).ready && virtio_balloon_request_stats(&t.b) == -EAGAIN);
	t_free(&t);
}

/* A turn serves VIRTIO_MMIO_TURN_BUDGET chains: the rest waits for the next turn. */
static void turn_budget(void)
{
	static struct t t;
	const unsigned n = VIRTIO_MMIO_TURN_BUDGET + 36;
	uint32_t pfn;

	CHECK(n <= QSIZE);
	t_full(&t);
	for (unsigned i = 0; i < n; i++) {
		pfn = DATA_PFN + i;
		memcpy(host(&t, BUFS + 4 * i), &pfn, 4);
		fake_ring_post(&t.q[0], host(&t, ring(0, 0)), host(&t, ring(0, 1)),
			       &(struct seg){ BUFS + 4 * i, 4, false }, 1);
	}
	vdrv_wr(&t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, Q_INFLATE);
	CHECK(info(&t).in_balloon == VIRTIO_MMIO_TURN_BUDGET && (t.dev.deferred & 1));
	vdrv_wr(&t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, Q_INFLATE);
	CHECK(info(&t).in_balloon == n && !(t.dev.deferred & 1));
	t_free(&t);
}

/* Write stats entries (tag, value) at AT; returns their bytes. */
static uint32_t put_stats(struct t *t, uint64_t at, const uint16_t *tags, const uint64_t *vals,
			  unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		memcpy(host(t, at + 10 * i), &tags[i], 2);
		memcpy(host(t, at + 10 * i + 2), &vals[i], 8);
	}
	return 10 * n;
}

static void stats(void)
{
	static struct t t;
	const uint16_t tags[] = { VIRTIO_BALLOON_S_MEMFREE, VIRTIO_BALLOON_S_MEMTOT, 77,
				  VIRTIO_BALLOON_S_MEMFREE, VIRTIO_BALLOON_S_SWAP_IN };
	const uint64_t vals[] = { 100 << 20, 200 << 20, 5, 1, 4096 };
	struct virtio_balloon_info i;
	uint16_t h1, h2;

	t_full(&t);
	CHECK(info(&t).stats.age_ms == -1 && virtio_balloon_request_stats(&t.b) == -EAGAIN);
	/* The probe's buffer: held by the device, not given back. */
	h1 = post(&t, Q_STATS, &(struct seg){ BUFS, put_stats(&t, BUFS, tags, vals, 5), false }, 1);
	CHECK(!used(&t, Q_STATS, h1));
	i = info(&t);
	CHECK(i.stats.present == (1u << VIRTIO_BALLOON_S_MEMFREE | 1u << VIRTIO_BALLOON_S_MEMTOT |
				  1u << VIRTIO_BALLOON_S_SWAP_IN));
	/* The first of a repeated tag stands; the repeat and the unknown tag are counted. */
	CHECK(i.stats.val[VIRTIO_BALLOON_S_MEMFREE] == 100 << 20);
	CHECK(i.stats.val[VIRTIO_BALLOON_S_MEMTOT] == 200 << 20);
	CHECK(i.stats.val[VIRTIO_BALLOON_S_SWAP_IN] == 4096);
	CHECK(i.counters.bad_stats == 2 && i.counters.stats_updates == 1);
	CHECK(i.stats.age_ms >= 0 && i.stats.age_ms < 1000);
	/* Asking gives the buffer back, once, with an interrupt. */
	t.irqs = 0;
	CHECK(virtio_balloon_request_stats(&t.b) == 0);
	CHECK(used(&t, Q_STATS, h1) && t.irqs == 1);
	CHECK(virtio_balloon_request_stats(&t.b) == -EAGAIN);
	/* A short buffer: one entry and 5 bytes; the snapshot is the new buffer's alone. */
	h2 = post(&t, Q_STATS, &(struct seg){ BUFS, 15, false }, 1);
	i = info(&t);
	CHECK(i.stats.present == 1u << VIRTIO_BALLOON_S_MEMFREE);
	CHECK(i.counters.bad_stats == 3 && i.counters.stats_updates == 2);
	/* A second buffer while one is held: the older one comes back at once. */
	h1 = post(&t, Q_STATS, &(struct seg){ BUFS + 0x4000, 0, false }, 1);
	CHECK(used(&t, Q_STATS, h2) && !used(&t, Q_STATS, h1));
	CHECK(info(&t).stats.present == 0 && info(&t).counters.stats_updates == 3);
	/* More entries than the device reads: the excess is counted, never read. */
	{
		static uint16_t many_tags[VIRTIO_BALLOON_STATS_MAX + 8];
		static uint64_t many_vals[VIRTIO_BALLOON_STATS_MAX + 8];
		uint32_t len;

		for (unsigned k = 0; k < VIRTIO_BALLOON_STATS_MAX + 8; k++)
			many_tags[k] = k < VIRTIO_BALLOON_STATS_MAX ? 99 : VIRTIO_BALLOON_S_CACHES;
		len = put_stats(&t, BUFS, many_tags, many_vals, VIRTIO_BALLOON_STATS_MAX + 8);
		post(&t, Q_STATS, &(struct seg){ BUFS, len, false }, 1);
		CHECK(info(&t).stats.present == 0);
		CHECK(info(&t).counters.bad_stats == 3 + VIRTIO_BALLOON_STATS_MAX + 8);
	}
	t_free(&t);
}

/*
 * Linux posts its first stats buffer and kicks before DRIVER_OK (the spec
 * says it must not): the transport drops that kick, so the device serves
 * its queues once it is up, else the buffer would wait forever.
 */
static void stats_before_driver_ok(void)
{
	static struct t t;
	const struct virtio_balloon_options o = { 5, true, true };
	const uint16_t tags[] = { VIRTIO_BALLOON_S_MEMFREE };
	const uint64_t vals[] = { 100 << 20 };
	uint16_t h;

	t_setup(&t, &o, ALL_FEATURES, 4);
	h = post(&t, Q_STATS, &(struct seg){ BUFS, put_stats(&t, BUFS, tags, vals, 1), false }, 1);
	CHECK(info(&t).counters.stats_updates == 0);
	driver_ok(&t);
	CHECK(info(&t).ready && (t.dev.deferred & (1u << Q_STATS)));
	/* The I/O thread, woken by that kick. */
	virtio_mmio_queue_notify(&t.dev, Q_STATS);
	CHECK(info(&t).counters.stats_updates == 1 && !used(&t, Q_STATS, h));
	CHECK(info(&t).stats.val[VIRTIO_BALLOON_S_MEMFREE] == 100 << 20);
	CHECK(virtio_balloon_request_stats(&t.b) == 0 && used(&t, Q_STATS, h));
	t_free(&t);
}

static void free_page_reporting(void)
{
	static struct t t;
	uint16_t h;

	t_full(&t);
	for (unsigned p = 0; p < 4; p++)
		fill(&t, DATA_PFN + p, 0xbb);
	fill(&t, HIGH_PFN, 0xbb);
	/* Pages 0-1, page 1 again (overlap: once), page 3 with a ragged start, a whole page above 4 GiB. */
	h = post(&t, Q_REPORT, (struct seg[]){ { DATA_PFN * 4096, 8192, true },
					       { (DATA_PFN + 1) * 4096, 4096, true },
					       { (DATA_PFN + 2) * 4096 + 1, 8191, true },
					       { GUEST_MEM_HIGH_START, 4096, true },
					       { (DATA_PFN + 4) * 4096 + 8, 100, true } }, 5);
	CHECK(used(&t, Q_REPORT, h));
	CHECK(page_is(&t, DATA_PFN, 0) && page_is(&t, DATA_PFN + 1, 0));
	CHECK(page_is(&t, DATA_PFN + 2, 0xbb) && page_is(&t, DATA_PFN + 3, 0));
	CHECK(page_is(&t, HIGH_PFN, 0));
	CHECK(info(&t).counters.reported == 4 && info(&t).counters.bad_reports == 1);
	/* Reported pages are free guest pages, not the balloon's. */
	CHECK(info(&t).in_balloon == 0);
	/* A buffer outside RAM (in the hole) breaks the ring: pop refuses it. */
	post(&t, Q_REPORT, &(struct seg){ LOW, 4096, true }, 1);
	CHECK(vdrv_rd(&t.dev, VIRTIO_MMIO_STATUS) & S_NR);
	CHECK(info(&t).counters.reported == 4);
	t_free(&t);
}

/* Config space at 0x100: num_pages, actual, then two fields we do not offer. */
static uint32_t cfg_rd(struct t *t, unsigned off)
{
	return vdrv_rd(&t->dev, 0x100 + off);
}

static void target_and_config(void)
{
	static struct t t;
	const struct virtio_balloon_options o = { 5, true, true };
	struct virtio_mmio_host h = { .raise_irq = raise_irq, .opaque = &t };
	struct virtio_balloon_info i;
	uint32_t gen;

	/* Set before the driver is up: no interrupt, the driver reads it when it probes. */
	t.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	guest_mem_init_at(&t.gm, t.ram, RAM_SIZE);
	CHECK(virtio_balloon_init(&t.b, &o, &t.gm, NULL) == 0);
	CHECK(virtio_mmio_init(&t.dev, &t.b.ops, &t.b, &t.gm, &h) == 0);
	t.b.dev = &t.dev;
	CHECK(virtio_balloon_set_target(&t.b, RAM_SIZE - (64ull << 20)) == 0);
	CHECK(t.irqs == 0 && cfg_rd(&t, 0) == 16384 && cfg_rd(&t, 4) == 0);
	CHECK(info(&t).reached_ms == -1 && !info(&t).ready);
	CHECK(virtio_balloon_set_target(&t.b, 0) == -ERANGE);
	CHECK(virtio_balloon_set_target(&t.b, RAM_SIZE + 4096) == -ERANGE);
	/* Not whole pages: the guest keeps at least what was asked. */
	CHECK(virtio_balloon_set_target(&t.b, RAM_SIZE - 4096 * 10 - 1) == 0 && cfg_rd(&t, 0) == 10);
	CHECK(virtio_balloon_set_target(&t.b, RAM_SIZE) == 0 && cfg_rd(&t, 0) == 0);
	munmap(t.ram, RAM_SIZE);
	free(t.b.bitmap);
	virtio_mmio_destroy(&t.dev);

	t_full(&t);
	gen = vdrv_rd(&t.dev, VIRTIO_MMIO_CONFIG_GENERATION);
	CHECK(info(&t).ready && info(&t).stats_vq && info(&t).deflate_on_oom);
	CHECK(info(&t).free_page_reporting && info(&t).reached_ms == 0);
	CHECK(virtio_balloon_set_target(&t.b, RAM_SIZE - (128ull << 20)) == 0);
	CHECK(t.irqs == 1 && (vdrv_rd(&t.dev, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG));
	CHECK(vdrv_rd(&t.dev, VIRTIO_MMIO_CONFIG_GENERATION) != gen);
	/* The driver's progress: actual is its to write, num_pages is not. */
	vdrv_wr(&t.dev, 0x100 + 4, 1000);
	vdrv_wr(&t.dev, 0x100, 7);
	vdrv_write(&t.dev, 0x100 + 8, 0xffffffffffffffffull, 8);
	CHECK(cfg_rd(&t, 0) == 32768 && cfg_rd(&t, 4) == 1000);
	CHECK(cfg_rd(&t, 8) == 0 && cfg_rd(&t, 12) == 0);
	i = info(&t);
	CHECK(i.target == RAM_SIZE - (128ull << 20) && i.actual == RAM_SIZE - 1000 * 4096ull);
	CHECK(i.num_pages == 32768 && i.actual_pages == 1000 && i.reached_ms == -1);
	/* A byte at a time, as a driver may write it. */
	vdrv_write(&t.dev, 0x100 + 4, 0x00, 1);
	vdrv_write(&t.dev, 0x100 + 5, 0x80, 1);
	CHECK(cfg_rd(&t, 4) == 32768 && info(&t).reached_ms >= 0);
	/* A driver that claims more than all of RAM is a guest of size 0, not a wrapped one. */
	vdrv_wr(&t.dev, 0x100 + 4, 0xffffffff);
	CHECK(info(&t).actual == 0);
	t_free(&t);
}

/* A reset in the middle of everything: the balloon is empty, the target stays, nothing is held. */
static void reset_midway(void)
{
	static struct t t;
	const uint32_t pfns[] = { DATA_PFN, DATA_PFN + 1 };
	uint16_t h;

	t_full(&t);
	CHECK(virtio_balloon_set_target(&t.b, RAM_SIZE - (8ull << 20)) == 0);
	post_pfns(&t, Q_INFLATE, 0, pfns, 2);
	post(&t, Q_STATS, &(struct seg){ BUFS + 0x4000, 10, false }, 1);
	vdrv_wr(&t.dev, 0x100 + 4, 2);
	/* Posted, not notified: the reset drops it. */
	fake_ring_post(&t.q[Q_INFLATE], host(&t, ring(0, 0)), host(&t, ring(0, 1)),
		       &(struct seg){ BUFS, 8, false }, 1);
	vdrv_wr(&t.dev, VIRTIO_MMIO_STATUS, 0);
	CHECK(!info(&t).ready && info(&t).in_balloon == 0 && info(&t).actual_pages == 0);
	CHECK(info(&t).num_pages == 2048 && virtio_balloon_request_stats(&t.b) == -EAGAIN);
	/* A notification now is for nobody. */
	vdrv_wr(&t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, Q_INFLATE);
	CHECK(info(&t).counters.inflated == 2);
	/* Setting the target on a device that is down raises nothing. */
	t.irqs = 0;
	CHECK(virtio_balloon_set_target(&t.b, RAM_SIZE - (4ull << 20)) == 0 && t.irqs == 0);
	/* The driver comes back: the same pages go in again, as new. */
	CHECK(vdrv_negotiate(&t.dev, ALL_FEATURES | 1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < 4; q++) {
		t.q[q] = (struct fake_ring){ .size = QSIZE };
		memset(host(&t, ring(q, 0)), 0, 0x3000);
		vdrv_setup_queue(&t.dev, q, QSIZE, ring(q, 0), ring(q, 1), ring(q, 2));
	}
	vdrv_wr(&t.dev, VIRTIO_MMIO_STATUS, vdrv_rd(&t.dev, VIRTIO_MMIO_STATUS) | S_DOK);
	fill(&t, DATA_PFN, 0x77);
	h = post_pfns(&t, Q_INFLATE, 0, pfns, 2);
	CHECK(used(&t, Q_INFLATE, h) && page_is(&t, DATA_PFN, 0));
	CHECK(info(&t).in_balloon == 2 && info(&t).counters.inflated == 4);
	CHECK(info(&t).counters.duplicates == 0);
	t_free(&t);
}

/* The driver numbers its queues by what it negotiated: reporting is queue 2 without stats. */
static void queue_roles(void)
{
	static struct t t;
	const struct virtio_balloon_options no_stats = { 0, false, true };
	const struct virtio_balloon_options all = { 5, true, true };

	t_init(&t, &no_stats, ALL_FEATURES, 3);
	CHECK(t.b.ops.num_queues == 3);
	CHECK(!(vdrv_device_features(&t.dev) & (F(STATS_VQ) | F(DEFLATE_ON_OOM))));
	CHECK(info(&t).ready && !info(&t).stats_vq && info(&t).free_page_reporting);
	fill(&t, DATA_PFN, 0xcc);
	post(&t, 2, &(struct seg){ DATA_PFN * 4096, 4096, true }, 1);
	CHECK(page_is(&t, DATA_PFN, 0) && info(&t).counters.reported == 1);
	t_free(&t);
	/* Offered everything, the driver took reporting alone: queue 3 stays unused. */
	t_init(&t, &all, F(REPORTING), 3);
	CHECK(info(&t).ready && !info(&t).stats_vq && !info(&t).deflate_on_oom);
	fill(&t, DATA_PFN, 0xcc);
	post(&t, 2, &(struct seg){ DATA_PFN * 4096, 4096, true }, 1);
	CHECK(page_is(&t, DATA_PFN, 0) && info(&t).counters.reported == 1);
	t_free(&t);
	/* A queue the features call for and the driver left out: the device needs a reset. */
	t_init(&t, &all, ALL_FEATURES, 3);
	CHECK(!info(&t).ready && (vdrv_rd(&t.dev, VIRTIO_MMIO_STATUS) & S_NR));
	t_free(&t);
}

int main(void)
{
	RUN(inflate_deflate);
	RUN(bad_pfns);
	RUN(duplicates);
	RUN(huge_counts);
	RUN(turn_budget);
	RUN(stats);
	RUN(stats_before_driver_ok);
	RUN(free_page_reporting);
	RUN(target_and_config);
	RUN(reset_midway);
	RUN(queue_roles);
	return CHECK_SUMMARY();
}
