/* virtio-net receive: frames from the backend straight into the guest's buffers, polled without busy loops. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "util/iov.h"
#include "virtio/virtio_net.h"

static struct virtqueue *rx_vq(struct virtio_net_pair *p)
{
	return &p->net->dev->vqs[2 * p->index];
}

/* Watch the backend queue's fd for frames, or stop: only the I/O thread calls this. */
static void set_polling(struct virtio_net_pair *p, bool on)
{
	virtio_net_watch(p, EPOLLIN, on);
}

void virtio_net_rx_reset(struct virtio_net_pair *p)
{
	p->stage.nchains = p->stage.niov = 0;
	p->stage.capacity = 0;
}

/* A chain no receive buffer can be (readable parts, no room for the header): give it back empty. */
static bool bad_buffer(struct virtio_net_pair *p, const struct virtqueue_elem *e)
{
	if (!e->n_readable && e->writable_len >= NET_HDR_LEN)
		return false;
	p->net->stats.rx_bad_buffers++;
	virtqueue_push(rx_vq(p), e->head, 0);
	return true;
}

/* Whether the stage can take a frame: room for the largest, or all the guest will give. */
static bool stage_enough(const struct virtio_net_pair *p)
{
	const struct virtio_net_rx_stage *s = &p->stage;

	if (!p->net->mergeable)
		return s->nchains >= 1;
	return s->capacity >= p->net->rx_frame_max || s->nchains == VIRTIO_NET_RX_CHAINS ||
	       s->niov + VIRTIO_NET_CHAIN_IOVS > VIRTIO_NET_RX_IOVS ||
	       s->nchains >= p->net->dev->vqs[2 * p->index].size;
}

/*
 * Pop receive chains until the stage can take a frame, at most *POPS of them
 * (the turn's budget, decremented). Returns 1 when it can, 0 when the guest
 * has not posted enough (or the budget ran out), or a negative error (a
 * malformed ring: the device needs a reset).
 */
static int stage_fill(struct virtio_net_pair *p, unsigned *pops)
{
	struct virtio_net_rx_stage *s = &p->stage;
	bool pushed = false;
	int ret = 1;

	while (!stage_enough(p) && *pops) {
		struct virtqueue_elem e = { .iov = s->iov + s->niov, .iov_cap = VIRTIO_NET_CHAIN_IOVS };

		--*pops;
		ret = virtqueue_pop(rx_vq(p), &e);
		if (ret <= 0)
			break;
		if (bad_buffer(p, &e)) {
			pushed = true;
			continue;
		}
		s->chains[s->nchains++] = (struct virtio_net_rx_chain){
			e.head, (uint16_t)s->niov, (uint16_t)e.n_writable, e.writable_len
		};
		s->niov += e.n_writable;
		s->capacity += e.writable_len;
	}
	if (pushed)
		virtio_mmio_signal_used(p->net->dev, 2 * p->index);
	return ret < 0 ? ret : stage_enough(p);
}

/* Forget the first K chains of the stage: they went back to the guest. */
static void stage_consume(struct virtio_net_rx_stage *s, unsigned k)
{
	unsigned iovs = k < s->nchains ? s->chains[k].first : s->niov;

	for (unsigned i = 0; i < k; i++)
		s->capacity -= s->chains[i].len;
	memmove(s->chains, s->chains + k, (s->nchains - k) * sizeof(s->chains[0]));
	memmove(s->iov, s->iov + iovs, (s->niov - iovs) * sizeof(s->iov[0]));
	s->nchains -= k;
	s->niov -= iovs;
	for (unsigned i = 0; i < s->nchains; i++)
		s->chains[i].first = (uint16_t)(s->chains[i].first - iovs);
}

/*
 * A frame of LEN bytes (header included) sits in the stage from its first
 * chain on: hand the chains it fills to the guest, the header's num_buffers
 * saying how many. Returns false when it did not fit (it is dropped).
 */
static bool deliver(struct virtio_net_pair *p, size_t len)
{
	struct virtio_net_rx_stage *s = &p->stage;
	uint16_t k = 0;
	size_t left = len, fit = 0;

	while (k < s->nchains && fit < len && (p->net->mergeable || k < 1))
		fit += s->chains[k++].len;
	if (fit < len || len < NET_HDR_LEN) {
		p->net->stats.rx_dropped++;
		return false;
	}
	/* num_buffers: the header's last field (little-endian, like the guest). */
	iov_from_buf(s->iov, s->chains[0].n, offsetof(struct net_hdr, reserved), &k, sizeof(k));
	for (unsigned i = 0; i < k; i++) {
		uint32_t n = left < s->chains[i].len ? (uint32_t)left : s->chains[i].len;

		virtqueue_fill(rx_vq(p), s->chains[i].head, n);
		left -= n;
	}
	virtqueue_publish(rx_vq(p));
	stage_consume(s, k);
	p->net->stats.rx_frames++;
	return true;
}

/* Read one frame into the stage. 1: read (delivered or dropped), 0: nothing waiting, -1: failed. */
static int receive_one(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtio_net_rx_stage *s = &p->stage;
	unsigned niov = net->mergeable ? s->niov : s->chains[0].n;
	ssize_t len = net->be->ops->recv(net->be, p->index, s->iov, niov);

	if (len == -EAGAIN || len == -EINTR)
		return 0;
	if (len < 0) {
		log_error("virtio-net %s: queue %u: %s; no more frames from it", net->be->name,
			  p->index, strerror((int)-len));
		p->dead = true;
		return -1;
	}
	deliver(p, (size_t)len);
	return 1;
}

/* Whether pair P receives now: in use by an activated, working driver, its backend queue alive. */
static bool rx_active(const struct virtio_net_pair *p)
{
	return !p->dead && virtio_net_pair_live(p, 2 * p->index);
}

/*
 * Receive until the backend or the guest's buffers run out, or the turn's
 * budget of frames does (the fd stays ready, so the loop comes back). Out of
 * buffers, the fd leaves the loop until the guest posts more and notifies.
 * Chains popped count against a budget too: a guest posting nothing but bad
 * buffers gets its turn, not the I/O thread.
 */
void virtio_net_rx(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtqueue *vq = rx_vq(p);
	unsigned frames = 0, pops = VIRTIO_NET_RX_BUDGET;
	int ret = 0;

	if (!rx_active(p)) {
		set_polling(p, false);
		return;
	}
	virtqueue_disable_notify(vq);
	while (frames < VIRTIO_NET_RX_BUDGET) {
		ret = stage_fill(p, &pops);
		if (ret == 0 && !pops) {
			virtio_mmio_defer(net->dev, 2 * p->index);
			break;
		}
		if (ret == 0 && virtqueue_enable_notify(vq)) {
			virtqueue_disable_notify(vq);
			continue;
		}
		if (ret <= 0)
			break;
		ret = receive_one(p);
		if (ret <= 0)
			break;
		frames++;
	}
	if (ret < 0 && !p->dead) {
		log_error("virtio-net %s: receive queue: the guest broke the ring rules (%s); device "
			  "needs reset", net->be->name, virtqueue_error_text(ret));
		virtio_mmio_needs_reset(net->dev);
	}
	/*
	 * Waiting for buffers or broken: notifications are on (enable_notify
	 * above), polling off. Out of budget: the deferred turn goes on.
	 */
	set_polling(p, ret > 0 || (ret == 0 && stage_enough(p)));
	if (frames)
		virtio_mmio_signal_used(net->dev, 2 * p->index);
}

/* The guest posted receive buffers (or a pair became active): take frames again. */
void virtio_net_rx_kick(struct virtio_net_pair *p)
{
	if (rx_active(p))
		set_polling(p, true);
	virtio_net_rx(p);
}
