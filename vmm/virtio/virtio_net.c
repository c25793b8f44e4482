/* virtio-net: the device as the transport sees it: features, config space, activation, reset, notifications. */
#include "virtio/virtio_net.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <stddef.h>
#include <string.h>

#include "log.h"

#define BIT(n) (1ull << (n))
#define ETH_HEADERS 18u		/* Ethernet header and one VLAN tag */
#define MTU_MIN 68u		/* IPv4's minimum; Linux refuses a smaller advised MTU */

uint64_t virtio_net_offered(unsigned offloads, unsigned queues)
{
	uint64_t f = BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) | BIT(VIRTIO_NET_F_MRG_RXBUF) |
		     BIT(VIRTIO_NET_F_MTU) | BIT(VIRTIO_NET_F_CTRL_VQ);

	if (queues > 1)
		f |= BIT(VIRTIO_NET_F_MQ);
	/* Checksum offload is the base of the others: a backend without it gets none. */
	if (!(offloads & NET_OFFLOAD_CSUM))
		return f;
	f |= BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
	     BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
	if (offloads & NET_OFFLOAD_TSO4)
		f |= BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO4);
	if (offloads & NET_OFFLOAD_TSO6)
		f |= BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_GUEST_TSO6);
	if ((offloads & NET_OFFLOAD_TSO_ECN) && (offloads & (NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO6)))
		f |= BIT(VIRTIO_NET_F_HOST_ECN) | BIT(VIRTIO_NET_F_GUEST_ECN);
	if (offloads & NET_OFFLOAD_UFO)
		f |= BIT(VIRTIO_NET_F_HOST_UFO) | BIT(VIRTIO_NET_F_GUEST_UFO);
	return f;
}

unsigned virtio_net_rx_offloads(uint64_t features)
{
	unsigned o;

	/* Every receive offload hands over frames with checksums left to fill in. */
	if (!(features & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	o = NET_OFFLOAD_CSUM;
	if (features & BIT(VIRTIO_NET_F_GUEST_TSO4))
		o |= NET_OFFLOAD_TSO4;
	if (features & BIT(VIRTIO_NET_F_GUEST_TSO6))
		o |= NET_OFFLOAD_TSO6;
	if ((features & BIT(VIRTIO_NET_F_GUEST_ECN)) && (o & (NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO6)))
		o |= NET_OFFLOAD_TSO_ECN;
	if (features & BIT(VIRTIO_NET_F_GUEST_UFO))
		o |= NET_OFFLOAD_UFO;
	return o;
}

unsigned virtio_net_ctrl_queue(const struct virtio_net *net)
{
	return virtio_mmio_has_feature(net->dev, VIRTIO_NET_F_MQ) ? 2 * net->max_pairs : 2;
}

int virtio_net_set_rx_offloads(struct virtio_net *net, unsigned offloads)
{
	int ret = net->be->ops->set_rx_offloads(net->be, offloads);

	if (ret < 0)
		return ret;
	net->rx_offloads = offloads;
	/* Large segments come whole; otherwise nothing bigger than the MTU does. */
	if (offloads & (NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO6 | NET_OFFLOAD_UFO))
		net->rx_frame_max = NET_FRAME_MAX;
	else
		net->rx_frame_max = NET_HDR_LEN + ETH_HEADERS + net->be->mtu;
	return 0;
}

int virtio_net_set_pairs(struct virtio_net *net, unsigned n)
{
	int ret = net->be->ops->set_queues(net->be, n);

	if (ret < 0)
		return ret;
	/* Pairs leaving stop polling by themselves (virtio_net_rx); those joining start now. */
	for (unsigned i = n; i < net->active_pairs; i++)
		virtio_net_tx_release(&net->pairs[i]);
	net->active_pairs = n;
	for (unsigned i = 0; i < n; i++)
		virtio_net_rx_kick(&net->pairs[i]);
	return 0;
}

static void config_read(struct virtio_mmio_dev *dev, uint32_t offset, uint8_t *data, unsigned len)
{
	struct virtio_net *net = dev->opaque;
	struct virtio_net_config c;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, net->mac, sizeof(c.mac));
	c.status = VIRTIO_NET_S_LINK_UP;
	c.max_virtqueue_pairs = (uint16_t)net->max_pairs;
	c.mtu = (uint16_t)net->be->mtu;
	/* The transport checked offset + len <= config_size == sizeof(c). */
	memcpy(data, (uint8_t *)&c + offset, len);
}

/* The driver set DRIVER_OK: one pair in use until it asks for more (virtio 1.x, 5.1.6.5.5). */
static int activate(struct virtio_mmio_dev *dev)
{
	struct virtio_net *net = dev->opaque;
	int ret;

	if (!virtqueue_ready(&dev->vqs[0]) || !virtqueue_ready(&dev->vqs[1]))
		return -EINVAL;
	if (virtio_mmio_has_feature(dev, VIRTIO_NET_F_CTRL_VQ) &&
	    !virtqueue_ready(&dev->vqs[virtio_net_ctrl_queue(net)]))
		return -EINVAL;
	net->mergeable = virtio_mmio_has_feature(dev, VIRTIO_NET_F_MRG_RXBUF);
	ret = virtio_net_set_rx_offloads(net, virtio_net_rx_offloads(dev->features));
	if (ret < 0 || (ret = net->be->ops->set_queues(net->be, 1)) < 0) {
		log_error("virtio-net %s: %s", net->be->name, strerror(-ret));
		return ret;
	}
	/* Receiving starts with the driver's first receive-queue notification. */
	net->active_pairs = 1;
	return 0;
}

/* Back to the initial state; pairs still polled notice and stop (virtio_net_rx). */
static void reset(struct virtio_mmio_dev *dev)
{
	struct virtio_net *net = dev->opaque;

	net->active_pairs = 0;
	net->mergeable = false;
	/* The rings are gone: a held frame is forgotten, its fd's next event unwatches it. */
	for (unsigned i = 0; i < net->max_pairs; i++) {
		virtio_net_rx_reset(&net->pairs[i]);
		net->pairs[i].tx_held = false;
	}
	net->be->ops->set_rx_offloads(net->be, 0);
	net->rx_offloads = 0;
}

static void queue_notify(struct virtio_mmio_dev *dev, unsigned queue)
{
	struct virtio_net *net = dev->opaque;

	if (virtio_mmio_has_feature(dev, VIRTIO_NET_F_CTRL_VQ) && queue == virtio_net_ctrl_queue(net))
		virtio_net_ctrl(net);
	else if (queue / 2 < net->active_pairs && queue % 2 == 0)
		virtio_net_rx_kick(&net->pairs[queue / 2]);
	else if (queue / 2 < net->active_pairs)
		virtio_net_tx(&net->pairs[queue / 2]);
}

void virtio_net_init(struct virtio_net *net, struct net_backend *be, const uint8_t mac[6],
		     struct event_loop *loop)
{
	memset(net, 0, sizeof(*net));
	net->be = be;
	net->loop = loop;
	memcpy(net->mac, mac, sizeof(net->mac));
	net->max_pairs = be->queues;
	for (unsigned i = 0; i < be->queues; i++) {
		struct virtio_net_pair *p = &net->pairs[i];

		*p = (struct virtio_net_pair){ .net = net, .index = i };
		p->tx_elem = (struct virtqueue_elem){ .iov = p->tx_iov,
						      .iov_cap = VIRTIO_NET_CHAIN_IOVS };
	}
	if (be->mtu < MTU_MIN)
		be->mtu = 1500;
	net->ops = (struct virtio_device_ops){
		.name = "virtio-net",
		.device_id = VIRTIO_ID_NET,
		.features = virtio_net_offered(be->offloads, be->queues),
		.num_queues = 2 * be->queues + 1,
		.config_size = sizeof(struct virtio_net_config),
		.config_read = config_read,
		.activate = activate,
		.reset = reset,
		.queue_notify = queue_notify,
	};
	for (unsigned q = 0; q < 2 * be->queues; q++)
		net->ops.queue_max[q] = VIRTIO_NET_QUEUE_SIZE;
	net->ops.queue_max[2 * be->queues] = VIRTIO_NET_CTRL_QUEUE_SIZE;
}
