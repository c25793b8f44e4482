/* virtio-net transmit: each chain the guest posts goes to the backend as one frame; a full backend holds the queue. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "virtio/virtio_net.h"

static struct virtqueue *tx_vq(struct virtio_net_pair *p)
{
	return &p->net->dev->vqs[2 * p->index + 1];
}

/*
 * Send one chain: a frame (header first) in device-readable buffers only.
 * Returns false when the backend is full and the chain must wait; a
 * malformed chain or a refused frame is counted and done with.
 */
static bool send_chain(struct virtio_net_pair *p, const struct virtqueue_elem *e)
{
	struct virtio_net *net = p->net;
	int ret;

	if (e->n_writable || e->readable_len < NET_HDR_LEN || e->readable_len > NET_FRAME_MAX) {
		net->stats.tx_errors++;
		return true;
	}
	ret = net->be->ops->send(net->be, p->index, e->iov, e->n_readable);
	if (ret == -EAGAIN) {
		net->stats.tx_waits++;
		return false;
	}
	if (ret < 0)
		net->stats.tx_dropped++;
	else
		net->stats.tx_frames++;
	return true;
}

static bool send_and_return(void *ctx, const struct virtqueue_elem *e)
{
	struct virtio_net_pair *p = ctx;

	if (!send_chain(p, e)) {
		p->tx_held = true;
		return false;
	}
	virtqueue_push(tx_vq(p), e->head, 0);
	return true;
}

/* The held chain, if any, goes first. Returns how many chains went back (0 or 1), -1 when it waits on. */
static int send_held(struct virtio_net_pair *p)
{
	if (!p->tx_held)
		return 0;
	if (!send_chain(p, &p->tx_elem))
		return -1;
	p->tx_held = false;
	virtqueue_push(tx_vq(p), p->tx_elem.head, 0);
	return 1;
}

/*
 * The guest notified the transmit queue, or the backend has room again: send
 * what it posted, a turn's budget at a time, and interrupt once per batch.
 * A full backend stops the queue with the frame held (EPOLLOUT watched):
 * the guest sees its ring fill up and waits, as on a real NIC.
 */
void virtio_net_tx(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	unsigned q = 2 * p->index + 1;
	int resent, ret;

	if (!virtio_net_pair_live(p, q)) {
		virtio_net_watch(p, EPOLLOUT, false);
		return;
	}
	resent = send_held(p);
	if (resent < 0)
		return;
	ret = virtio_mmio_serve(net->dev, q, &p->tx_elem, send_and_return, p);
	virtio_net_watch(p, EPOLLOUT, p->tx_held);
	if (resent + ret - p->tx_held > 0 || ret < 0)
		/* What went before a bad chain was pushed: interrupt for it too. */
		virtio_mmio_signal_used(net->dev, q);
	if (ret < 0) {
		log_error("virtio-net %s: transmit queue: the guest broke the ring rules (%s); device "
			  "needs reset", net->be->name, virtqueue_error_text(ret));
		virtio_mmio_needs_reset(net->dev);
	}
}

void virtio_net_tx_release(struct virtio_net_pair *p)
{
	if (!p->tx_held)
		return;
	p->tx_held = false;
	p->net->stats.tx_dropped++;
	virtqueue_push(tx_vq(p), p->tx_elem.head, 0);
	virtio_mmio_signal_used(p->net->dev, 2 * p->index + 1);
}
