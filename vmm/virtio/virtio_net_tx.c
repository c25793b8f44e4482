/* virtio-net transmit: each chain the guest posts goes to the backend as one frame, a batch per notification. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "virtio/virtio_net.h"

/* Send one chain: a frame (header first) in device-readable buffers only. */
static void send_chain(struct virtio_net_pair *p, const struct virtqueue_elem *e)
{
	struct virtio_net *net = p->net;

	if (e->n_writable || e->readable_len < NET_HDR_LEN || e->readable_len > NET_FRAME_MAX) {
		net->stats.tx_errors++;
		return;
	}
	if (net->be->ops->send(net->be, p->index, e->iov, e->n_readable) < 0)
		net->stats.tx_dropped++;
	else
		net->stats.tx_frames++;
}

static void send_and_return(void *ctx, const struct virtqueue_elem *e)
{
	struct virtio_net_pair *p = ctx;

	send_chain(p, e);
	virtqueue_push(&p->net->dev->vqs[2 * p->index + 1], e->head, 0);
}

/*
 * The guest notified the transmit queue: send what it posted, a turn's
 * budget at a time, and interrupt once per batch.
 */
void virtio_net_tx(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	unsigned q = 2 * p->index + 1;
	struct iovec iov[VIRTIO_NET_CHAIN_IOVS];
	struct virtqueue_elem e = { .iov = iov, .iov_cap = VIRTIO_NET_CHAIN_IOVS };
	int ret = virtio_mmio_serve(net->dev, q, &e, send_and_return, p);

	if (ret > 0)
		virtio_mmio_signal_used(net->dev, q);
	if (ret < 0) {
		/* What went before the bad chain was pushed: interrupt for it too. */
		virtio_mmio_signal_used(net->dev, q);
		log_error("virtio-net %s: transmit queue: the guest broke the ring rules (%s); device "
			  "needs reset", net->be->name, virtqueue_error_text(ret));
		virtio_mmio_needs_reset(net->dev);
	}
}
