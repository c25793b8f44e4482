/* virtio-net control queue: queue pairs in use (multiqueue) and receive offloads, set by the driver. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "log.h"
#include "util/iov.h"
#include "virtio/virtio_net.h"

#define CTRL_DATA_MAX 64	/* the commands served carry 2 or 8 bytes */

/* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET: use this many pairs (1..max). */
static int set_pairs(struct virtio_net *net, const uint8_t *data, size_t len)
{
	uint16_t n;

	if (len != sizeof(n) || !virtio_mmio_has_feature(net->dev, VIRTIO_NET_F_MQ))
		return -EINVAL;
	memcpy(&n, data, sizeof(n));
	if (n < 1 || n > net->max_pairs)
		return -EINVAL;
	return virtio_net_set_pairs(net, n);
}

/* VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET: the receive offloads, a subset of those negotiated. */
static int set_offloads(struct virtio_net *net, const uint8_t *data, size_t len)
{
	const uint64_t rx_bits = 1ull << VIRTIO_NET_F_GUEST_CSUM | 1ull << VIRTIO_NET_F_GUEST_TSO4 |
				 1ull << VIRTIO_NET_F_GUEST_TSO6 | 1ull << VIRTIO_NET_F_GUEST_ECN |
				 1ull << VIRTIO_NET_F_GUEST_UFO;
	uint64_t want;

	if (len != sizeof(want) ||
	    !virtio_mmio_has_feature(net->dev, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))
		return -EINVAL;
	memcpy(&want, data, sizeof(want));
	if (want & ~(net->dev->features & rx_bits))
		return -EINVAL;
	return virtio_net_set_rx_offloads(net, virtio_net_rx_offloads(want));
}

static uint8_t run_command(struct virtio_net *net, uint8_t class, uint8_t cmd, const uint8_t *data,
			   size_t len)
{
	int ret = -EOPNOTSUPP;

	if (class == VIRTIO_NET_CTRL_MQ && cmd == VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
		ret = set_pairs(net, data, len);
	else if (class == VIRTIO_NET_CTRL_GUEST_OFFLOADS && cmd == VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET)
		ret = set_offloads(net, data, len);
	if (ret < 0) {
		net->stats.ctrl_errors++;
		log_debug("virtio-net %s: control command %u.%u refused: %s", net->be->name, class, cmd,
			  strerror(-ret));
	}
	return ret < 0 ? VIRTIO_NET_ERR : VIRTIO_NET_OK;
}

/* One command: class and command bytes, its data, then a byte for the answer. */
static bool serve(void *ctx, const struct virtqueue_elem *e)
{
	struct virtio_net *net = ctx;
	struct virtqueue *vq = &net->dev->vqs[virtio_net_ctrl_queue(net)];
	uint8_t buf[2 + CTRL_DATA_MAX], ack;
	size_t len = e->readable_len;

	/* Guest-given lengths: the command must fit BUF and leave room for the answer. */
	if (len < 2 || len > sizeof(buf) || !e->writable_len) {
		net->stats.ctrl_errors++;
		virtqueue_push(vq, e->head, 0);
		return true;
	}
	iov_to_buf(e->iov, e->n_readable, 0, buf, len);
	ack = run_command(net, buf[0], buf[1], buf + 2, len - 2);
	iov_from_buf(e->iov + e->n_readable, e->n_writable, 0, &ack, 1);
	virtqueue_push(vq, e->head, 1);
	return true;
}

/* The driver waits for each answer (it spins), so commands are served at once. */
void virtio_net_ctrl(struct virtio_net *net)
{
	unsigned q = virtio_net_ctrl_queue(net);
	struct iovec iov[8];
	struct virtqueue_elem e = { .iov = iov, .iov_cap = 8 };
	int ret = virtio_mmio_serve(net->dev, q, &e, serve, net);

	virtio_mmio_signal_used(net->dev, q);
	if (ret < 0) {
		log_error("virtio-net %s: control queue: the guest broke the ring rules (%s); device "
			  "needs reset", net->be->name, virtqueue_error_text(ret));
		virtio_mmio_needs_reset(net->dev);
	}
}
