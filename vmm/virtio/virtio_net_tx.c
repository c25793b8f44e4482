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

/*
 * The guest notified the transmit queue: send everything posted, with
 * notifications off meanwhile, and interrupt once per batch.
 */
void virtio_net_tx(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtqueue *vq = &net->dev->vqs[2 * p->index + 1];
	struct iovec iov[VIRTIO_NET_CHAIN_IOVS];
	struct virtqueue_elem e = { .iov = iov, .iov_cap = VIRTIO_NET_CHAIN_IOVS };
	int ret;

	do {
		unsigned sent = 0;

		virtqueue_disable_notify(vq);
		while ((ret = virtqueue_pop(vq, &e)) > 0) {
			send_chain(p, &e);
			virtqueue_push(vq, e.head, 0);
			sent++;
		}
		if (sent)
			virtio_mmio_signal_used(net->dev, 2 * p->index + 1);
		if (ret < 0) {
			log_error("virtio-net %s: malformed transmit chain (%s); device needs reset",
				  net->be->name, strerror(-ret));
			virtio_mmio_needs_reset(net->dev);
			return;
		}
	} while (virtqueue_enable_notify(vq));
}
