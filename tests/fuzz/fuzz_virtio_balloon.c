/* libFuzzer target: a hostile guest drives virtio-balloon through virtio-mmio, and the host asks things of it. */
#include <errno.h>

#include "fuzz_guest.h"
#include "virtio/virtio_balloon.h"

/*
 * The input:
 *   u8   the device's options: bit 0 no stats queue, bit 1 deflate-on-OOM,
 *        bit 2 free page reporting
 *   ...  a script of ops (enum op, then enum fg_op from OP_GUEST on) and their
 *        arguments, to the end
 * Guest RAM is 64 pages: PFNs below 64 name RAM (the rings among it), the
 * rest do not. The device is reset at the end of every input.
 */
#define RAM_SIZE 0x40000u
#define QUEUES 4

enum op {
	OP_UP,		/* u64 features, u8 x4 log2 queue sizes (bit 7: no queue), layout
			 * (fg_layout): the probe to DRIVER_OK */
	OP_PFNS,	/* post a PFN array (post_pfns) without notifying */
	OP_STATS,	/* post a stats buffer (post_stats) without notifying */
	OP_REPORT,	/* post a free page report (post_report) without notifying */
	OP_KICK,	/* u8 queue: notify it (the ioeventfd's way), check the rings */
	OP_REQUEST,	/* the host asks for fresh stats */
	OP_TARGET,	/* u32 guest size in pages: the host sets the target */
	OP_INFO,	/* the host reads the info snapshot; its invariants */
	OP_RESET,	/* the driver writes status 0 */
	OP_CONFIG_WRITE,	/* u8 offset, u8 log2 size, u64 value: the driver writes config
				 * space (actual, or where it should not) */
	OP_GUEST,	/* enum fg_op: a generic guest action (fuzz_guest.h) */
	OP_COUNT = OP_GUEST + FG_OPS
};

/* Shape bits of a posted chain. */
enum {
	SHAPE_INDIRECT = 1 << 0,	/* in an indirect table (not negotiated by Linux) */
	SHAPE_SPLIT = 1 << 1,		/* the buffer in two descriptors, cut at an odd byte */
	SHAPE_RAGGED = 1 << 2,		/* 3 bytes more than whole entries */
	SHAPE_WRITABLE = 1 << 3,	/* device-writable (inflate, deflate, stats) */
	SHAPE_HUGE = 1 << 4,		/* a 64 KiB buffer over RAM, whatever it holds */
	SHAPE_TRAILER = 1 << 5,		/* a device-writable descriptor after the buffer */
};

struct balloon_fuzz {
	struct fuzz_guest g;
	struct virtio_balloon b;
	struct virtio_mmio_dev dev;
};

/* Post LEN bytes at AT on queue Q as SHAPE says (queues the driver did not set up: nothing). */
static void post_buffer(struct balloon_fuzz *f, unsigned q, uint64_t at, uint32_t len, uint8_t shape)
{
	bool w = shape & SHAPE_WRITABLE;
	struct seg s[3];
	unsigned n = 0;

	if (shape & SHAPE_HUGE)
		len = 0x10000;
	if (shape & SHAPE_RAGGED)
		len += 3;
	if ((shape & SHAPE_SPLIT) && len > 1) {
		s[n++] = (struct seg){ at, len / 2 | 1, w };
		s[n++] = (struct seg){ at + (len / 2 | 1), len - (len / 2 | 1), w };
	} else {
		s[n++] = (struct seg){ at, len, w };
	}
	if (shape & SHAPE_TRAILER)
		s[n++] = (struct seg){ fg_alloc(&f->g, 8), 8, true };
	if (f->g.q[q].size)
		fg_post(&f->g, q, s, n, shape & SHAPE_INDIRECT);
}

/* A PFN: u8 below 0xf0 is that page (RAM below 64, beyond it not), else a raw u32. */
static uint32_t pfn(struct fuzz_in *s)
{
	uint8_t v = fin_u8(s);

	return v < 0xf0 ? v : fin_u32(s);
}

/* OP_PFNS: u8 queue, u8 count, the PFNs, u8 shape. Pages of the rings make the used ring junk. */
static void post_pfns(struct balloon_fuzz *f, struct fuzz_in *s)
{
	unsigned q = fin_u8(s) % QUEUES, n = fin_u8(s);
	uint32_t pfns[255];
	uint64_t at;

	for (unsigned i = 0; i < n; i++) {
		pfns[i] = pfn(s);
		f->g.scribbled |= (uint64_t)pfns[i] * 4096 < f->g.bufs;
	}
	at = fg_alloc(&f->g, n * 4 + 3);
	fg_put(&f->g, at, pfns, n * 4);
	post_buffer(f, q, at, n * 4, fin_u8(s));
}

/* OP_STATS: u8 queue, u8 count, each u8 tag (mod 16: some unknown) and u64 value, u8 shape. */
static void post_stats(struct balloon_fuzz *f, struct fuzz_in *s)
{
	unsigned q = fin_u8(s) % QUEUES, n = fin_u8(s) % 48;
	uint8_t buf[48 * 10];
	uint64_t at;

	for (unsigned i = 0; i < n; i++) {
		uint64_t v = fin_u64(s);

		buf[10 * i] = fin_u8(s) % 16;
		buf[10 * i + 1] = 0;
		memcpy(buf + 10 * i + 2, &v, 8);
	}
	at = fg_alloc(&f->g, n * 10 + 3);
	fg_put(&f->g, at, buf, n * 10);
	post_buffer(f, q, at, n * 10, fin_u8(s));
}

/* OP_REPORT: u8 queue, u8 count (up to 70: past what a chain may hold), u16 page and u16 length each, u8 indirect. */
static void post_report(struct balloon_fuzz *f, struct fuzz_in *s)
{
	unsigned q = fin_u8(s) % QUEUES, n = fin_u8(s) % 71;
	struct seg segs[70];

	for (unsigned i = 0; i < n; i++) {
		uint16_t page = fin_u16(s);

		/* Mostly pages (bit 15: any byte of RAM), lengths in bytes. */
		segs[i] = (struct seg){ page & 0x8000 ? page & 0x7fffu : (page & 0x7fu) * 4096ull,
					fin_u16(s), true };
		f->g.scribbled |= segs[i].addr < f->g.bufs;
	}
	if (f->g.q[q].size)
		fg_post(&f->g, q, segs, n, fin_u8(s) & 1);
}

/* What the device holds: nothing but one stats buffer; the bitmap's count is right. */
static void check_device(struct balloon_fuzz *f)
{
	struct virtio_balloon *b = &f->b;
	uint64_t bits = 0;

	for (unsigned q = 0; q < f->dev.ops->num_queues; q++)
		FUZZ_CHECK(virtqueue_inflight(&f->dev.vqs[q]) ==
			   (b->stats_held && (int)q == b->stats_queue ? 1u : 0u));
	for (uint64_t i = 0; i < (b->npages + 63) / 64; i++)
		bits += (uint64_t)__builtin_popcountll(b->bitmap[i]);
	FUZZ_CHECK(bits == b->in_balloon && bits <= b->npages);
	/* Each page out was in first; a reset empties the balloon without counting them out. */
	FUZZ_CHECK(b->counters.deflated <= b->counters.inflated &&
		   b->counters.inflated - b->counters.deflated >= b->in_balloon);
}

static void op_kick(struct balloon_fuzz *f, struct fuzz_in *s)
{
	unsigned q = fin_u8(s) % QUEUES;

	virtio_mmio_queue_notify(&f->dev, q);
	check_device(f);
	fg_read_used(&f->g, q);
}

static void op_info(struct balloon_fuzz *f)
{
	struct virtio_balloon_info i;

	virtio_balloon_info(&f->b, &i);
	FUZZ_CHECK(i.memory == RAM_SIZE && i.target <= i.memory && i.actual <= i.memory);
	FUZZ_CHECK(i.in_balloon <= RAM_SIZE / 4096);
	/* Every page that went in was released: madvise of our own RAM does not fail. */
	FUZZ_CHECK(i.counters.release_errors == 0 && i.counters.released == i.counters.inflated);
	FUZZ_CHECK(i.stats.age_ms == -1 || i.counters.stats_updates > 0);
	FUZZ_CHECK(!(i.stats.present >> VIRTIO_BALLOON_S_NR));
	check_device(f);
}

static void op_up(struct balloon_fuzz *f, struct fuzz_in *s)
{
	uint64_t features = fin_u64(s);
	uint16_t sizes[QUEUES], layout[3];
	const uint16_t *at;

	for (unsigned q = 0; q < QUEUES; q++) {
		uint8_t b = fin_u8(s);

		sizes[q] = b & 0x80 ? 0 : (uint16_t)(1u << b % 9);
	}
	at = fg_layout(s, layout);
	fg_bring_up(&f->g, features, sizes, at);
}

static void run_op(struct balloon_fuzz *f, struct fuzz_in *s)
{
	unsigned op = fin_u8(s) % OP_COUNT;
	int r;

	switch (op) {
	case OP_UP: op_up(f, s); break;
	case OP_PFNS: post_pfns(f, s); break;
	case OP_STATS: post_stats(f, s); break;
	case OP_REPORT: post_report(f, s); break;
	case OP_KICK: op_kick(f, s); break;
	case OP_REQUEST:
		r = virtio_balloon_request_stats(&f->b);
		FUZZ_CHECK(r == 0 || r == -EAGAIN);
		break;
	case OP_TARGET:
		r = virtio_balloon_set_target(&f->b, (uint64_t)fin_u32(s) * 4096);
		FUZZ_CHECK(r == 0 || r == -ERANGE);
		break;
	case OP_INFO: op_info(f); break;
	case OP_RESET:
		vdrv_wr(&f->dev, VIRTIO_MMIO_STATUS, 0);
		FUZZ_CHECK(f->b.in_balloon == 0 && !f->b.stats_held && !f->b.active);
		break;
	case OP_CONFIG_WRITE: {
		uint8_t off = fin_u8(s);
		unsigned len = 1u << (fin_u8(s) % 4);

		vdrv_write(&f->dev, FG_CFG + off, fin_u64(s), len);
		break;
	}
	default:
		fg_generic_op(&f->g, (enum fg_op)(op - OP_GUEST), s);
		check_device(f);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct balloon_fuzz f;
	struct virtio_mmio_host host = { fg_raise_irq, NULL, &f.g };
	struct fuzz_in in = { data, size };
	struct virtio_balloon_options o;
	uint8_t flags;

	if (!f.g.ram)
		fg_init(&f.g, RAM_SIZE, QUEUES);
	flags = fin_u8(&in);
	o = (struct virtio_balloon_options){ flags & 1 ? 0 : 5, flags & 2, flags & 4 };
	if (virtio_balloon_init(&f.b, &o, &f.g.gm, NULL) < 0 ||
	    virtio_mmio_init(&f.dev, &f.b.ops, &f.b, &f.g.gm, &host) < 0)
		abort();
	f.b.dev = &f.dev;
	fg_clear(&f.g, &f.dev);
	while (!fin_done(&in))
		run_op(&f, &in);
	op_info(&f);
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	FUZZ_CHECK(f.b.in_balloon == 0 && !f.b.stats_held);
	virtio_mmio_destroy(&f.dev);
	free(f.b.bitmap);
	return 0;
}
