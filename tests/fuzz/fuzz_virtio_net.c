/* libFuzzer target: a hostile guest drives virtio-net's transmit, control and receive queues through virtio-mmio. */
#include <errno.h>
#include <sys/epoll.h>

#include <linux/virtio_net.h>

#include "fuzz_guest.h"
#include "fuzz_net_backend.h"
#include "virtio/virtio_net.h"

/*
 * The input:
 *   u8   the backend: bits 0-2 queue pairs - 1, bits 3-7 its offloads (NET_OFFLOAD_*)
 *   u16  its MTU
 *   ...  a script of ops (enum op, then enum fg_op from OP_GUEST on) and their
 *        arguments, to the end
 * Everything runs on the calling thread, as on the I/O thread: each input
 * is deterministic. The event loop is the real one; the target calls the
 * handler it holds for a backend queue as if the queue's fd were ready.
 */
#define RAM_SIZE 0x80000u
#define SEGS_MAX (VIRTIO_NET_CHAIN_IOVS + 4)	/* a few more than a chain may have */
#define CTRL_DATA_MAX 80			/* more than the device takes */

enum op {
	OP_UP,		/* u64 features, u8 log2 queue size, u8 queue to leave out (0: none),
			 * layout (fg_layout) */
	OP_TX,		/* u8 pair, segments (op_segs), u8 shape: a frame to send */
	OP_RX,		/* u8 pair, segments, u8 shape: receive buffers */
	OP_CTRL,	/* u8 class, u8 command, u8 length, data, u8 shape: a control command */
	OP_KICK,	/* u8 queue: notify it the ioeventfd's way (past the last queue too) */
	OP_FRAMES,	/* u8 pair, u8 n, n x u16 lengths: frames arrive on the backend */
	OP_BACKEND,	/* u8 FAKE_* bits, u16 endless frame length: the backend misbehaves */
	OP_GUEST,	/* enum fg_op: a generic guest action (fuzz_guest.h) */
	/* u8 pair, u8 bit 0: the backend queue has room (or fails); after the guest's, so older seeds keep their meaning */
	OP_WRITABLE = OP_GUEST + FG_OPS,
	OP_COUNT
};

/* Shape bits of a posted chain. */
enum {
	SHAPE_INDIRECT = 1 << 0,
	SHAPE_FLIP_FIRST = 1 << 1,	/* the first buffer the wrong way */
	SHAPE_FLIP_LAST = 1 << 2,	/* the last buffer the wrong way */
	SHAPE_SPLIT = 1 << 3,		/* control: class and command in two buffers */
	SHAPE_NO_ACK = 1 << 4,		/* control: no buffer for the answer */
	SHAPE_EMPTY_ACK = 1 << 5,	/* control: an answer buffer of 0 bytes */
};

struct net_fuzz {
	struct fuzz_guest g;
	struct fake_net be;
	struct virtio_net net;
	struct virtio_mmio_dev dev;
	struct event_loop loop;
};

/* A length: bytes up to 32 KiB (bit 15 clear), else 4-byte units up to 128 KiB. */
static uint32_t seg_len(uint16_t v)
{
	return v & 0x8000 ? (v & 0x7fffu) * 4 : v;
}

/* Segments: u8 count (more than 8: all of one length), then u16 lengths; WRITE for all. */
static unsigned op_segs(struct fuzz_guest *g, struct fuzz_in *s, struct seg *out, bool write)
{
	unsigned n = fin_u8(s) % (SEGS_MAX + 1);
	uint32_t len = n > 8 ? seg_len(fin_u16(s)) : 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t l = n > 8 ? len : seg_len(fin_u16(s));

		out[i] = (struct seg){ fg_alloc(g, l), l, write };
	}
	return n;
}

/* Turn the first or last buffer around as SHAPE says, and post the chain on queue Q. */
static void post(struct net_fuzz *f, unsigned q, struct seg *segs, unsigned n, uint8_t shape)
{
	if (n && (shape & SHAPE_FLIP_FIRST))
		segs[0].write = !segs[0].write;
	if (n && (shape & SHAPE_FLIP_LAST))
		segs[n - 1].write = !segs[n - 1].write;
	if (q < f->g.nqueues && f->g.q[q].size)
		fg_post(&f->g, q, segs, n, shape & SHAPE_INDIRECT);
}

static void op_tx_rx(struct net_fuzz *f, struct fuzz_in *s, bool rx)
{
	unsigned pair = fin_u8(s) % f->be.be.queues, n;
	struct seg segs[SEGS_MAX];

	n = op_segs(&f->g, s, segs, rx);
	post(f, 2 * pair + !rx, segs, n, fin_u8(s));
}

/* virtnet_send_command()'s chain, but with any class, command, data and shape. */
static void op_ctrl(struct net_fuzz *f, struct fuzz_in *s)
{
	uint8_t cmd[2 + CTRL_DATA_MAX], len, shape;
	struct seg segs[5];
	unsigned n = 0;
	uint64_t at;

	cmd[0] = fin_u8(s);
	cmd[1] = fin_u8(s);
	len = fin_u8(s) % (CTRL_DATA_MAX + 1);
	fin_bytes(s, cmd + 2, len);
	shape = fin_u8(s);
	at = fg_alloc(&f->g, 2u + len);
	fg_put(&f->g, at, cmd, 2u + len);
	if (shape & SHAPE_SPLIT) {
		segs[n++] = (struct seg){ at, 1, false };
		segs[n++] = (struct seg){ at + 1, 1, false };
	} else {
		segs[n++] = (struct seg){ at, 2, false };
	}
	if (len)
		segs[n++] = (struct seg){ at + 2, len, false };
	if (!(shape & SHAPE_NO_ACK))
		segs[n++] = (struct seg){ fg_alloc(&f->g, 1), shape & SHAPE_EMPTY_ACK ? 0 : 1, true };
	post(f, virtio_net_ctrl_queue(&f->net), segs, n, shape);
}

/* The handler the device left in the event loop for backend queue Q, or NULL. */
static struct event_handler *handler_of(struct net_fuzz *f, unsigned q)
{
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++)
		if (f->loop.handlers[i].fd >= 0 && f->loop.handlers[i].fd == f->be.be.fds[q])
			return &f->loop.handlers[i];
	return NULL;
}

/* Frames arrive on backend queue PAIR; the I/O thread runs its handler if the device polls it. */
static void op_frames(struct net_fuzz *f, struct fuzz_in *s)
{
	unsigned pair = fin_u8(s) % f->be.be.queues, n = fin_u8(s) % (FAKE_FRAMES_MAX + 1);
	struct event_handler *h;

	for (unsigned i = 0; i < n; i++)
		fake_net_queue_frame(&f->be, pair, seg_len(fin_u16(s)));
	h = handler_of(f, pair);
	if (h)
		h->fn(h->opaque, EPOLLIN);
}

/* Room on backend queue PAIR (or an error on it): the I/O thread runs the handler if it waits for that. */
static void op_writable(struct net_fuzz *f, struct fuzz_in *s)
{
	unsigned pair = fin_u8(s) % f->be.be.queues;
	uint32_t events = fin_u8(s) & 1 ? EPOLLERR : EPOLLOUT;
	struct event_handler *h = handler_of(f, pair);

	if (h && (h->events & EPOLLOUT))
		h->fn(h->opaque, events);
}

static void op_up(struct net_fuzz *f, struct fuzz_in *s)
{
	uint64_t features = fin_u64(s);
	uint16_t size = (uint16_t)(1u << fin_u8(s) % 10), sizes[VIRTIO_MMIO_QUEUES_MAX];
	uint8_t skip = fin_u8(s);
	uint16_t layout[3];
	const uint16_t *at = fg_layout(s, layout);

	/* The control queue is the last one: Linux gives it what the device offers, 64. */
	for (unsigned q = 0; q < f->g.nqueues; q++)
		sizes[q] = q + 1 == f->g.nqueues && size > VIRTIO_NET_CTRL_QUEUE_SIZE ?
				   VIRTIO_NET_CTRL_QUEUE_SIZE : size;
	if (skip)
		sizes[(skip - 1u) % f->g.nqueues] = 0;
	fg_bring_up(&f->g, features, sizes, at);
}

static void op_backend(struct net_fuzz *f, struct fuzz_in *s)
{
	f->be.misbehave = fin_u8(s);
	f->be.endless_len = seg_len(fin_u16(s));
}

/*
 * The receive stage of each pair holds whole chains and counts them right; a
 * frame is held only on a pair in use, with the fd watched for room while
 * the device works (one that needs a reset waits for it).
 */
static void check_stages(const struct net_fuzz *f)
{
	FUZZ_CHECK(f->net.active_pairs <= f->net.max_pairs);
	FUZZ_CHECK((f->net.rx_offloads & ~f->be.be.offloads) == 0);
	for (unsigned p = 0; p < f->net.max_pairs; p++) {
		const struct virtio_net_pair *pair = &f->net.pairs[p];
		const struct virtio_net_rx_stage *st = &pair->stage;
		uint64_t capacity = 0;
		unsigned iovs = 0;

		FUZZ_CHECK(!pair->tx_held || p < f->net.active_pairs);
		FUZZ_CHECK(!pair->tx_held || (pair->watching & EPOLLOUT) ||
			   !virtio_net_pair_live(pair, 2 * p + 1));

		FUZZ_CHECK(st->nchains <= VIRTIO_NET_RX_CHAINS && st->niov <= VIRTIO_NET_RX_IOVS);
		for (unsigned c = 0; c < st->nchains; c++) {
			FUZZ_CHECK(st->chains[c].first == iovs);
			iovs += st->chains[c].n;
			capacity += st->chains[c].len;
		}
		FUZZ_CHECK(iovs == st->niov && capacity == st->capacity);
	}
}

static void run_op(struct net_fuzz *f, struct fuzz_in *s)
{
	unsigned op = fin_u8(s) % OP_COUNT;

	switch (op) {
	case OP_UP: op_up(f, s); break;
	case OP_TX: op_tx_rx(f, s, false); break;
	case OP_RX: op_tx_rx(f, s, true); break;
	case OP_CTRL: op_ctrl(f, s); break;
	case OP_KICK: virtio_mmio_queue_notify(&f->dev, fin_u8(s) % (f->g.nqueues + 1)); break;
	case OP_FRAMES: op_frames(f, s); break;
	case OP_WRITABLE: op_writable(f, s); break;
	case OP_BACKEND: op_backend(f, s); break;
	default: fg_generic_op(&f->g, (enum fg_op)(op - OP_GUEST), s); break;
	}
	check_stages(f);
}

/* Forget the fds the last input's device left in the loop: this one starts with none. */
static void clear_loop(struct net_fuzz *f)
{
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++)
		if (f->loop.handlers[i].fd >= 0)
			event_loop_remove(&f->loop, f->loop.handlers[i].fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	static struct net_fuzz f;
	struct virtio_mmio_host host = { fg_raise_irq, NULL, &f.g };
	struct fuzz_in in = { data, size };
	uint8_t b;

	if (!f.g.ram) {
		fg_init(&f.g, RAM_SIZE, VIRTIO_MMIO_QUEUES_MAX);
		fake_net_init(&f.be, &f.g.gm);
		if (event_loop_init(&f.loop) < 0)
			abort();
	}
	b = fin_u8(&in);
	fake_net_reset(&f.be, 1 + (b & 7), b >> 3, fin_u16(&in));
	virtio_net_init(&f.net, &f.be.be, mac, &f.loop);
	f.be.net = &f.net;
	if (virtio_mmio_init(&f.dev, &f.net.ops, &f.net, &f.g.gm, &host) < 0)
		abort();
	f.net.dev = &f.dev;
	fg_clear(&f.g, &f.dev);
	f.g.nqueues = f.net.ops.num_queues;
	while (!fin_done(&in))
		run_op(&f, &in);
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	virtio_mmio_destroy(&f.dev);
	clear_loop(&f);
	return 0;
}
