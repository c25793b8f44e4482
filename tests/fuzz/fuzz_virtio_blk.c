/* libFuzzer target: a hostile guest drives virtio-blk through virtio-mmio against a fake disk. */
#include <errno.h>
#include <pthread.h>

#include <linux/virtio_blk.h>

#include "fuzz_blk_disk.h"
#include "fuzz_guest.h"
#include "virtio/virtio_blk.h"

/*
 * The input:
 *   u8   the disk: bit 0 read-only, bits 1-5 make one kind of operation fail
 *        (FAIL_* in fuzz_blk_disk.h)
 *   u8   its size in sectors
 *   ...  a script of ops (enum op, then enum fg_op from OP_GUEST on) and their
 *        arguments, to the end
 * Requests complete on virtio-blk's worker threads. Each kick waits until
 * every request it started has completed, and the device is reset at the end
 * (which drains what is in flight), so that no input leaves work behind.
 */
#define RAM_SIZE 0x40000u

enum op {
	OP_UP,		/* u64 features, u8 log2 queue size (up to 512, 256 offered; bit 7: no
			 * queue), layout (fg_layout): the probe to DRIVER_OK */
	OP_REQUEST,	/* post one request (post_request) without notifying */
	OP_KICK,	/* notify the queue (the ioeventfd's way), wait until its requests
			 * complete, check the ring */
	OP_KICK_RESET,	/* notify and reset at once, with requests in flight */
	OP_GUEST,	/* enum fg_op: a generic guest action (fuzz_guest.h) */
	OP_COUNT = OP_GUEST + FG_OPS
};

/* Shape bits of a request's chain. */
enum {
	SHAPE_INDIRECT = 1 << 0,	/* in an indirect table */
	SHAPE_SPLIT_HEADER = 1 << 1,	/* the header in two descriptors */
	SHAPE_SHORT_HEADER = 1 << 2,	/* only 8 bytes of header */
	SHAPE_FLIP = 1 << 3,		/* data the wrong way for the type */
	SHAPE_NO_STATUS = 1 << 4,
	SHAPE_EMPTY_STATUS = 1 << 5,	/* a status buffer of 0 bytes */
	SHAPE_BIG_STATUS = 1 << 6,	/* status at the end of 64 bytes */
	SHAPE_TRAILER = 1 << 7,		/* a device-readable buffer after the status */
};

static const uint32_t types[] = {
	VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_GET_ID,
	VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES, VIRTIO_BLK_T_SECURE_ERASE,
};

struct blk_fuzz {
	struct fuzz_guest g;
	struct fake_disk disk;
	struct virtio_blk blk;
	struct virtio_mmio_dev dev;
};

/* A data segment's length: whole sectors mostly (bit 15 clear), any byte count otherwise. */
static uint32_t seg_len(uint16_t v)
{
	return v & 0x8000 ? v & 0x7fffu : (v & 0x7fu) * 512;
}

/* What the driver puts in a DISCARD or WRITE_ZEROES request's data: the input's 16 bytes. */
static void put_payload(struct fuzz_guest *g, const struct seg *s, unsigned n, const uint8_t *p)
{
	size_t off = 0;

	for (unsigned i = 0; i < n && off < 16; i++) {
		size_t k = s[i].len < 16 - off ? s[i].len : 16 - off;

		fg_put(g, s[i].addr, p + off, k);
		off += k;
	}
}

/* The data segments: u8 count (more than 8: all of one length), then u16 lengths. */
static unsigned data_segs(struct fuzz_guest *g, struct fuzz_in *s, struct seg *out, bool write)
{
	unsigned n = fin_u8(s) % (VIRTIO_BLK_SEG_MAX + 4);
	uint32_t len = n > 8 ? seg_len(fin_u16(s)) : 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t l = n > 8 ? len : seg_len(fin_u16(s));

		out[i] = (struct seg){ fg_alloc(g, l), l, write };
	}
	return n;
}

/*
 * OP_REQUEST: u8 type (types[], or the next u32 past them), u64 sector, u8
 * shape (SHAPE_*), the data segments, 16 bytes of DISCARD/WRITE_ZEROES payload.
 */
static void post_request(struct blk_fuzz *f, struct fuzz_in *s)
{
	struct fuzz_guest *g = &f->g;
	uint8_t t = fin_u8(s), shape, payload[16];
	struct virtio_blk_outhdr hdr;
	struct seg segs[FG_SEGS_MAX];
	unsigned n = 0, nd;
	uint64_t at;
	bool to_guest;

	hdr.type = t % 8 < 7 ? types[t % 8] : fin_u32(s);
	hdr.ioprio = 0;
	hdr.sector = fin_u64(s);
	shape = fin_u8(s);
	to_guest = (hdr.type == VIRTIO_BLK_T_IN || hdr.type == VIRTIO_BLK_T_GET_ID) ^
		   !!(shape & SHAPE_FLIP);
	at = fg_alloc(g, sizeof(hdr));
	fg_put(g, at, &hdr, sizeof(hdr));
	segs[n++] = (struct seg){ at, shape & (SHAPE_SHORT_HEADER | SHAPE_SPLIT_HEADER) ? 8 : 16, false };
	if ((shape & (SHAPE_SHORT_HEADER | SHAPE_SPLIT_HEADER)) == SHAPE_SPLIT_HEADER)
		segs[n++] = (struct seg){ at + 8, 8, false };
	nd = data_segs(g, s, segs + n, to_guest);
	fin_bytes(s, payload, sizeof(payload));
	put_payload(g, segs + n, nd, payload);
	n += nd;
	if (!(shape & SHAPE_NO_STATUS)) {
		uint32_t len = shape & SHAPE_EMPTY_STATUS ? 0 : shape & SHAPE_BIG_STATUS ? 64 : 1;

		segs[n++] = (struct seg){ fg_alloc(g, len), len, true };
	}
	if (shape & SHAPE_TRAILER)
		segs[n++] = (struct seg){ fg_alloc(g, 8), 8, false };
	if (g->q[0].size)
		fg_post(g, 0, segs, n, shape & SHAPE_INDIRECT);
}

/* Until every request handed to a worker has completed. */
static void drain(struct virtio_blk *blk)
{
	pthread_mutex_lock(&blk->inflight_lock);
	while (blk->inflight)
		pthread_cond_wait(&blk->drained, &blk->inflight_lock);
	pthread_mutex_unlock(&blk->inflight_lock);
}

/* The guest's RAM is the disk's to touch only between device turns (fuzz_blk_disk.h). */
static void notify(struct blk_fuzz *f)
{
	pthread_mutex_lock(&f->disk.ram_lock);
	virtio_mmio_queue_notify(&f->dev, 0);
	pthread_mutex_unlock(&f->disk.ram_lock);
}

/* Every chain the device took came back, once the workers are done. */
static void op_kick(struct blk_fuzz *f)
{
	struct virtqueue *vq = &f->dev.vqs[0];

	notify(f);
	drain(&f->blk);
	FUZZ_CHECK(vq->used_idx == vq->last_avail);
	fg_read_used(&f->g, 0);
}

static void op_kick_reset(struct blk_fuzz *f)
{
	notify(f);
	vdrv_wr(&f->dev, VIRTIO_MMIO_STATUS, 0);
	FUZZ_CHECK(f->blk.inflight == 0 && !virtqueue_ready(&f->dev.vqs[0]));
}

static void op_up(struct blk_fuzz *f, struct fuzz_in *s)
{
	uint64_t features = fin_u64(s);
	uint8_t b = fin_u8(s);
	uint16_t size = b & 0x80 ? 0 : (uint16_t)(1u << b % 10), layout[3];
	const uint16_t *at = fg_layout(s, layout);

	pthread_mutex_lock(&f->disk.ram_lock);
	fg_bring_up(&f->g, features, &size, at);
	pthread_mutex_unlock(&f->disk.ram_lock);
}

static void run_op(struct blk_fuzz *f, struct fuzz_in *s)
{
	unsigned op = fin_u8(s) % OP_COUNT;

	switch (op) {
	case OP_UP: op_up(f, s); break;
	case OP_REQUEST: post_request(f, s); break;
	case OP_KICK: op_kick(f); break;
	case OP_KICK_RESET: op_kick_reset(f); break;
	default:
		/* Register writes may notify too: the same lock, then the same wait. */
		pthread_mutex_lock(&f->disk.ram_lock);
		fg_generic_op(&f->g, (enum fg_op)(op - OP_GUEST), s);
		pthread_mutex_unlock(&f->disk.ram_lock);
		drain(&f->blk);
		break;
	}
}

/* Once: the device and its worker threads live as long as the process. */
static void start(struct blk_fuzz *f)
{
	fg_init(&f->g, RAM_SIZE, 1);
	fake_disk_init(&f->disk, &f->g.gm);
	if (virtio_blk_init(&f->blk, &f->disk.base, "fuzz-serial-0123456789") < 0 ||
	    virtio_blk_start(&f->blk, NULL) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct blk_fuzz f;
	struct virtio_mmio_host host = { fg_raise_irq, NULL, &f.g };
	struct fuzz_in in = { data, size };
	uint8_t flags;

	if (!f.g.ram)
		start(&f);
	flags = fin_u8(&in);
	fake_disk_reset(&f.disk, fin_u8(&in) * 512ull, flags & 1, flags >> 1);
	if (virtio_mmio_init(&f.dev, virtio_blk_ops(&f.blk), &f.blk, &f.g.gm, &host) < 0)
		abort();
	f.blk.dev = &f.dev;
	fg_clear(&f.g, &f.dev);
	while (!fin_done(&in))
		run_op(&f, &in);
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	FUZZ_CHECK(f.blk.inflight == 0);
	virtio_mmio_destroy(&f.dev);
	return 0;
}
