/* A fake network backend for the virtio-net fuzz target: scripted frames in, frames out checked. */
#ifndef CAPSULE_FUZZ_NET_BACKEND_H
#define CAPSULE_FUZZ_NET_BACKEND_H

#include <errno.h>
#include <sys/eventfd.h>

#include "backend/net.h"
#include "fuzz_input.h"
#include "guest_mem.h"
#include "util/iov.h"
#include "virtio/virtio_net.h"

#define FAKE_FRAMES_MAX 16	/* frames waiting in one queue */
#define FAKE_FRAME_MAX (2 * NET_FRAME_MAX)	/* longer than any buffer: cut short */

/* How the backend misbehaves, one bit each (OP_BACKEND). */
enum {
	FAKE_SEND_FULL = 1 << 0,	/* send: -EAGAIN */
	FAKE_SEND_ERROR = 1 << 1,	/* send: -EIO */
	FAKE_RECV_ERROR = 1 << 2,	/* recv: -EIO, the queue dies */
	FAKE_RECV_ENDLESS = 1 << 3,	/* recv never runs dry */
	FAKE_OFFLOADS_FAIL = 1 << 4,	/* set_rx_offloads: -EINVAL */
	FAKE_QUEUES_FAIL = 1 << 5,	/* set_queues: -EINVAL */
};

/*
 * What the device asks must make sense: buffers inside guest RAM, queues
 * that exist and are in use, frames of a sendable size, offloads the backend
 * has. The fds are eventfds nobody writes: the target runs the device's
 * handler for a queue itself, as the I/O thread would when the fd is ready.
 */
struct fake_net {
	struct net_backend be;
	const struct guest_mem *gm;
	const struct virtio_net *net;
	unsigned misbehave;
	uint32_t frames[NET_QUEUES_MAX][FAKE_FRAMES_MAX];	/* lengths, oldest first */
	unsigned nframes[NET_QUEUES_MAX];
	uint32_t endless_len;
	uint8_t pattern[FAKE_FRAME_MAX];
};

static inline struct fake_net *fake_net_of(struct net_backend *be)
{
	return (struct fake_net *)be;
}

static inline void fake_net_check_iov(const struct fake_net *f, const struct iovec *iov, unsigned n)
{
	const uint8_t *ram = f->gm->mapping;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;

		FUZZ_CHECK(p >= ram && p <= ram + f->gm->size);
		FUZZ_CHECK(iov[i].iov_len <= (size_t)(ram + f->gm->size - p));
	}
}

static inline int fake_send(struct net_backend *be, unsigned queue, const struct iovec *iov,
			    unsigned n)
{
	struct fake_net *f = fake_net_of(be);
	size_t len = iov_size(iov, n);

	FUZZ_CHECK(queue < f->net->active_pairs && n <= VIRTIO_NET_CHAIN_IOVS);
	fake_net_check_iov(f, iov, n);
	FUZZ_CHECK(len >= NET_HDR_LEN && len <= NET_FRAME_MAX);
	if (f->misbehave & FAKE_SEND_ERROR)
		return -EIO;
	return f->misbehave & FAKE_SEND_FULL ? -EAGAIN : 0;
}

/* Like a tap: copy what fits, return the frame's whole length. */
static inline ssize_t fake_recv(struct net_backend *be, unsigned queue, const struct iovec *iov,
				unsigned n)
{
	struct fake_net *f = fake_net_of(be);
	uint32_t len;

	FUZZ_CHECK(queue < f->net->active_pairs && n <= VIRTIO_NET_RX_IOVS);
	fake_net_check_iov(f, iov, n);
	if (f->misbehave & FAKE_RECV_ERROR)
		return -EIO;
	if (f->misbehave & FAKE_RECV_ENDLESS) {
		len = f->endless_len;
	} else {
		if (!f->nframes[queue])
			return -EAGAIN;
		len = f->frames[queue][0];
		f->nframes[queue]--;
		memmove(f->frames[queue], f->frames[queue] + 1, f->nframes[queue] * sizeof(len));
	}
	iov_from_buf(iov, n, 0, f->pattern, len);
	return len;
}

static inline int fake_set_rx_offloads(struct net_backend *be, unsigned offloads)
{
	struct fake_net *f = fake_net_of(be);

	FUZZ_CHECK((offloads & ~be->offloads) == 0);
	return f->misbehave & FAKE_OFFLOADS_FAIL ? -EINVAL : 0;
}

static inline int fake_set_queues(struct net_backend *be, unsigned n)
{
	struct fake_net *f = fake_net_of(be);

	FUZZ_CHECK(n >= 1 && n <= be->queues);
	return f->misbehave & FAKE_QUEUES_FAIL ? -EINVAL : 0;
}

/* virtio-net closes its backend only at exit, which the target never reaches. */
static inline void fake_net_close(struct net_backend *be)
{
	abort();
}

static const struct net_backend_ops fake_net_ops = {
	fake_send, fake_recv, fake_set_rx_offloads, fake_set_queues, fake_net_close,
};

/* Once per process: the queues' eventfds and the frames' bytes. */
static inline void fake_net_init(struct fake_net *f, const struct guest_mem *gm)
{
	f->gm = gm;
	for (unsigned q = 0; q < NET_QUEUES_MAX; q++)
		if ((f->be.fds[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
			abort();
	for (size_t i = 0; i < sizeof(f->pattern); i++)
		f->pattern[i] = (uint8_t)(i * 7 + (i >> 8));
}

/* Before each input: QUEUES pairs that can do OFFLOADS, and MTU (virtio-net corrects a tiny one). */
static inline void fake_net_reset(struct fake_net *f, unsigned queues, unsigned offloads, unsigned mtu)
{
	f->be.ops = &fake_net_ops;
	snprintf(f->be.name, sizeof(f->be.name), "fake");
	f->be.queues = queues;
	f->be.offloads = offloads;
	f->be.mtu = mtu;
	f->misbehave = 0;
	f->endless_len = 0;
	memset(f->nframes, 0, sizeof(f->nframes));
}

/* A frame of LEN bytes waits in backend queue Q (dropped when the queue is full). */
static inline void fake_net_queue_frame(struct fake_net *f, unsigned q, uint32_t len)
{
	if (f->nframes[q] < FAKE_FRAMES_MAX)
		f->frames[q][f->nframes[q]++] = len < FAKE_FRAME_MAX ? len : FAKE_FRAME_MAX;
}

#endif
