/* A fake guest and backend for the virtio-net tests: RAM, rings, a scripted tap, Linux's driver steps. */
#ifndef CAPSULE_TEST_VIRTIO_NET_GUEST_H
#define CAPSULE_TEST_VIRTIO_NET_GUEST_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "check.h"
#include "fake_ring.h"
#include "util/iov.h"
#include "virtio/virtio_net.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 21)
#define RINGS 0x1000		/* queue Q: descriptors at ring(Q), avail +0x1000, used +0x1400 */
#define AVAIL 0x1000
#define USED 0x1400
#define BUFS 0x40000		/* buffers are handed out from here up */
#define CFG 0x100		/* config space in the register window */
#define FRAMES_MAX 8		/* frames waiting in one backend queue, frames sent */
#define NF(f) (1ull << VIRTIO_NET_F_##f)
#define V1 (1ull << VIRTIO_F_VERSION_1)
#define EVENT_IDX (1ull << VIRTIO_RING_F_EVENT_IDX)
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR VIRTIO_CONFIG_S_NEEDS_RESET

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct frame {
	uint8_t *data;
	size_t len;
};

struct t {
	struct virtio_net net;
	struct virtio_mmio_dev dev;
	struct net_backend be;
	struct event_loop loop;
	uint8_t *ram;
	struct guest_mem gm;
	struct fake_ring q[VIRTIO_MMIO_QUEUES_MAX];
	uint64_t next_buf;
	unsigned irqs;
	/* The backend's side. */
	struct frame rx[NET_QUEUES_MAX][FRAMES_MAX];	/* frames waiting, oldest first */
	unsigned rx_n[NET_QUEUES_MAX];
	ssize_t rx_error;	/* recv fails with this when set */
	size_t rx_endless;	/* recv never runs dry: a frame this long each call */
	unsigned recv_calls;
	struct frame sent[FRAMES_MAX];
	unsigned nsent;
	int send_ret, offloads_ret;
	bool tx_refill;		/* send() posts another frame on queue 1 (a flood) */
	char log[512];		/* the backend's calls but recv, in order */
};

/* Record in the log of GUEST (a struct t, or a void pointer to one). */
#define note(guest, ...) \
	check_log(((struct t *)(guest))->log, sizeof(((struct t *)(guest))->log), __VA_ARGS__)

/* Compare the backend's log with WANT and start a new one. */
#define CHECK_LOG(t, want)                 \
	do {                               \
		CHECK_STR((t)->log, want); \
		(t)->log[0] = 0;           \
	} while (0)

/* Byte I of the test frame SEED: no period of 256, so shifted copies show. */
static inline uint8_t pattern(unsigned seed, size_t i)
{
	return (uint8_t)(seed * 37 + i + 3 * (i >> 8));
}

static inline struct t *of_be(struct net_backend *be)
{
	return (struct t *)((char *)be - offsetof(struct t, be));
}

/* Like a tap: copy what fits, return the frame's whole length. */
static inline ssize_t be_recv(struct net_backend *be, unsigned queue, const struct iovec *iov,
			      unsigned n)
{
	struct t *t = of_be(be);
	struct frame f;

	t->recv_calls++;
	if (t->rx_error)
		return t->rx_error;
	if (t->rx_endless) {
		uint8_t b[256];

		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = pattern(9, i);
		iov_from_buf(iov, n, 0, b, sizeof(b));
		return (ssize_t)t->rx_endless;
	}
	if (!t->rx_n[queue])
		return -EAGAIN;
	f = t->rx[queue][0];
	memmove(t->rx[queue], t->rx[queue] + 1, --t->rx_n[queue] * sizeof(f));
	iov_from_buf(iov, n, 0, f.data, f.len);
	free(f.data);
	return (ssize_t)f.len;
}

static inline uint16_t post_tx(struct t *t, unsigned q, const uint32_t *lens, unsigned n,
			       unsigned seed);

static inline int be_send(struct net_backend *be, unsigned queue, const struct iovec *iov,
			  unsigned n)
{
	struct t *t = of_be(be);
	size_t len = iov_size(iov, n);

	note(t, "send%u:%zu%s;", queue, len, t->send_ret ? "!" : "");
	if (t->tx_refill)
		post_tx(t, 1, (const uint32_t[]){ 64 }, 1, 7);
	if (t->send_ret || t->nsent == FRAMES_MAX)
		return t->send_ret;
	t->sent[t->nsent].data = malloc(len);
	t->sent[t->nsent].len = iov_to_buf(iov, n, 0, t->sent[t->nsent].data, len);
	t->nsent++;
	return 0;
}

static inline int be_set_rx_offloads(struct net_backend *be, unsigned offloads)
{
	struct t *t = of_be(be);

	note(t, "offloads=%u;", offloads);
	return t->offloads_ret;
}

static inline int be_set_queues(struct net_backend *be, unsigned n)
{
	note(of_be(be), "queues=%u;", n);
	return 0;
}

static inline void be_close(struct net_backend *be)
{
	(void)be;
}

static const struct net_backend_ops fake_ops = {
	be_send, be_recv, be_set_rx_offloads, be_set_queues, be_close
};

/* Make a test frame of LEN bytes (header included) wait in backend queue Q. */
static inline void queue_frame(struct t *t, unsigned q, size_t len, unsigned seed)
{
	struct frame *f = &t->rx[q][t->rx_n[q]++];

	f->data = malloc(len);
	f->len = len;
	for (size_t i = 0; i < len; i++)
		f->data[i] = pattern(seed, i);
}

/* Whether sent frame I is test frame SEED of LEN bytes. */
static inline bool sent_is(struct t *t, unsigned i, size_t len, unsigned seed)
{
	if (i >= t->nsent || t->sent[i].len != len)
		return false;
	for (size_t k = 0; k < len; k++)
		if (t->sent[i].data[k] != pattern(seed, k))
			return false;
	return true;
}

static inline void raise_irq(void *opaque)
{
	((struct t *)opaque)->irqs++;
}

/* A device over a fake backend with QUEUES queues that can do OFFLOADS, MTU as given. */
static inline struct t *t_new(unsigned queues, unsigned offloads, unsigned mtu)
{
	struct virtio_mmio_host host = { raise_irq, NULL, NULL };
	struct t *t = calloc(1, sizeof(*t));

	t->ram = aligned_alloc(4096, RAM_SIZE);
	memset(t->ram, 0, RAM_SIZE);
	guest_mem_init_at(&t->gm, t->ram, RAM_SIZE);
	t->next_buf = BUFS;
	CHECK(event_loop_init(&t->loop) == 0);
	t->be = (struct net_backend){ .ops = &fake_ops, .name = "fake", .queues = queues,
				      .offloads = offloads, .mtu = mtu };
	for (unsigned i = 0; i < queues; i++)
		t->be.fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	virtio_net_init(&t->net, &t->be, test_mac, &t->loop);
	host.opaque = t;
	CHECK(virtio_mmio_init(&t->dev, &t->net.ops, &t->net, &t->gm, &host) == 0);
	t->net.dev = &t->dev;
	return t;
}

static inline void t_free(struct t *t)
{
	virtio_mmio_destroy(&t->dev);
	for (unsigned i = 0; i < t->be.queues; i++) {
		close(t->be.fds[i]);
		for (unsigned k = 0; k < t->rx_n[i]; k++)
			free(t->rx[i][k].data);
	}
	for (unsigned i = 0; i < t->nsent; i++)
		free(t->sent[i].data);
	close(t->loop.epfd);
	close(t->loop.stop_fd);
	free(t->ram);
	free(t);
}

/* The event-loop slot watching backend queue Q, or NULL: the device does not poll it. */
static inline struct event_handler *handler_of(struct t *t, unsigned q)
{
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++)
		if (t->loop.handlers[i].fd == t->be.fds[q])
			return &t->loop.handlers[i];
	return NULL;
}

/* Whether the device watches backend queue Q for frames (EPOLLIN) or for room (EPOLLOUT). */
static inline bool watched_for(struct t *t, unsigned q, uint32_t events)
{
	struct event_handler *h = handler_of(t, q);

	return h && (h->events & events);
}

static inline bool polled(struct t *t, unsigned q)
{
	return watched_for(t, q, EPOLLIN);
}

/* What the I/O thread does when backend queue Q has EVENTS; false when the device does not watch for them. */
static inline bool backend_event(struct t *t, unsigned q, uint32_t events)
{
	struct event_handler *h = handler_of(t, q);

	if (!h || !(h->events & events))
		return false;
	h->fn(h->opaque, events);
	return true;
}

static inline bool backend_ready(struct t *t, unsigned q)
{
	return backend_event(t, q, EPOLLIN);
}

static inline uint64_t ring(unsigned q)
{
	return RINGS + q * 0x2000ull;
}

static inline uint16_t used_flags(struct t *t, unsigned q)
{
	return ((struct vring_used *)(t->ram + ring(q) + USED))->flags;
}

/* avail_event (EVENT_IDX): after the used ring's entries. */
static inline uint16_t avail_event(struct t *t, unsigned q)
{
	uint16_t v;

	memcpy(&v, t->ram + ring(q) + USED + 4 + 8 * t->q[q].size, 2);
	return v;
}

/* Post a chain of N segments on queue Q (not notified); returns its head. */
static inline uint16_t post(struct t *t, unsigned q, const struct seg *s, unsigned n)
{
	return fake_ring_post(&t->q[q], t->ram + ring(q), t->ram + ring(q) + AVAIL, s, n);
}

static inline uint64_t alloc(struct t *t, uint32_t len)
{
	uint64_t at = t->next_buf;

	t->next_buf += (len + 15) & ~15u;
	return at;
}

/* A receive buffer: device-writable, filled with 0xee to show what the device wrote. */
static inline struct seg rx_buf(struct t *t, uint32_t len)
{
	struct seg s = { alloc(t, len), len, true };

	memset(t->ram + s.addr, 0xee, len);
	return s;
}

/* Post a receive chain of one buffer of LEN bytes on Q; its segment in *S when S. */
static inline uint16_t post_rx(struct t *t, unsigned q, uint32_t len, struct seg *s)
{
	struct seg b = rx_buf(t, len);

	if (s)
		*s = b;
	return post(t, q, &b, 1);
}

/* Post test frame SEED on transmit queue Q, cut in N device-readable buffers of LENS bytes. */
static inline uint16_t post_tx(struct t *t, unsigned q, const uint32_t *lens, unsigned n,
			       unsigned seed)
{
	struct seg s[8];
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		s[i] = (struct seg){ alloc(t, lens[i]), lens[i], false };
		for (uint32_t k = 0; k < lens[i]; k++)
			t->ram[s[i].addr + k] = pattern(seed, off++);
	}
	return post(t, q, s, n);
}

static inline void kick(struct t *t, unsigned q)
{
	vdrv_wr(&t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* The next used entry of queue Q: its id and length; false when there is none. */
static inline bool used_next(struct t *t, unsigned q, uint16_t *id, uint32_t *len)
{
	return fake_ring_used_next(&t->q[q], t->ram + ring(q) + USED, id, len);
}

/* Whether the next used entry of Q is chain HEAD with LEN bytes. */
static inline bool used_is(struct t *t, unsigned q, uint16_t head, uint32_t len)
{
	uint16_t id;
	uint32_t l;

	return used_next(t, q, &id, &l) && id == head && l == len;
}

static inline bool used_none(struct t *t, unsigned q)
{
	uint16_t id;
	uint32_t l;

	return !used_next(t, q, &id, &l);
}

/*
 * Whether the N buffers S hold test frame SEED of LEN bytes, as received:
 * its header's num_buffers (bytes 10-11) says NBUFS.
 */
static inline bool rx_holds(struct t *t, const struct seg *s, unsigned n, size_t len,
			    unsigned seed, uint16_t nbufs)
{
	size_t i = 0;

	for (unsigned b = 0; b < n && i < len; b++)
		for (uint32_t k = 0; k < s[b].len && i < len; k++, i++) {
			uint8_t want = i == 10 ? (uint8_t)nbufs
				     : i == 11 ? (uint8_t)(nbufs >> 8) : pattern(seed, i);

			if (t->ram[s[b].addr + k] != want)
				return false;
		}
	return i == len;
}

static inline uint32_t status(struct t *t)
{
	return vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS);
}

/*
 * virtio_mmio_probe() and virtnet_probe() up to DRIVER_OK, with FEATURES
 * masked by the device's: every queue pair (MQ) or the first, the control
 * queue (CTRL_VQ); receive and transmit rings of QSIZE entries, zeroed.
 * Returns the status read back.
 */
static inline uint32_t bring_up_status(struct t *t, uint64_t features, uint16_t qsize)
{
	unsigned pairs, nq;

	CHECK(vdrv_rd(&t->dev, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET);
	features &= vdrv_device_features(&t->dev);
	CHECK(vdrv_negotiate(&t->dev, features) & VIRTIO_CONFIG_S_FEATURES_OK);
	pairs = features & NF(MQ) ? (unsigned)vdrv_read(&t->dev, CFG + 8, 2) : 1;
	nq = 2 * pairs + !!(features & NF(CTRL_VQ));
	memset(t->q, 0, sizeof(t->q));
	for (unsigned q = 0; q < nq; q++) {
		t->q[q].size = q == 2 * pairs ? VIRTIO_NET_CTRL_QUEUE_SIZE : qsize;
		memset(t->ram + ring(q), 0, 0x2000);
		CHECK(vdrv_setup_queue(&t->dev, q, t->q[q].size, ring(q), ring(q) + AVAIL,
				       ring(q) + USED) == 1);
	}
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, status(t) | S_DOK);
	return status(t);
}

static inline void bring_up(struct t *t, uint64_t features, uint16_t qsize)
{
	CHECK(bring_up_status(t, features, qsize) ==
	      (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
	       S_DOK));
}

/*
 * virtnet_send_command(): class and command, DATA, then the status byte for
 * the device to write, on control queue Q. Returns the status, or -1 when the
 * chain did not come back with one byte written.
 */
static inline int ctrl_cmd(struct t *t, unsigned q, uint8_t class, uint8_t cmd, const void *data,
			   uint32_t len)
{
	struct seg s[3];
	uint16_t head, id;
	uint32_t used;
	unsigned n = 0;

	s[n] = (struct seg){ alloc(t, 2), 2, false };
	t->ram[s[n].addr] = class;
	t->ram[s[n++].addr + 1] = cmd;
	if (len) {
		s[n] = (struct seg){ alloc(t, len), len, false };
		memcpy(t->ram + s[n++].addr, data, len);
	}
	s[n] = (struct seg){ alloc(t, 1), 1, true };
	t->ram[s[n].addr] = 0xff;
	head = post(t, q, s, n + 1);
	kick(t, q);
	if (!used_next(t, q, &id, &used) || id != head || used != 1)
		return -1;
	return t->ram[s[n].addr];
}

#endif
