/* virtio-net polling: which events of each backend queue's fd the I/O thread watches, and who they wake. */
#include <string.h>
#include <sys/epoll.h>

#include <linux/virtio_config.h>

#include "log.h"
#include "virtio/virtio_net.h"

bool virtio_net_pair_live(const struct virtio_net_pair *p, unsigned q)
{
	const struct virtio_mmio_dev *dev = p->net->dev;

	return p->index < p->net->active_pairs && dev->activated &&
	       !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET) && virtqueue_ready(&dev->vqs[q]);
}

/*
 * Readable: frames for the guest. Writable: room for a held frame. An error
 * or hangup wakes whichever side is watching: each finds out by trying.
 */
static void on_backend_ready(void *opaque, uint32_t events)
{
	struct virtio_net_pair *p = opaque;

	virtio_mmio_lock(p->net->dev);
	if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && (p->watching & EPOLLOUT))
		virtio_net_tx(p);
	if ((events & ~EPOLLOUT) && (p->watching & EPOLLIN))
		virtio_net_rx(p);
	virtio_mmio_unlock(p->net->dev);
}

void virtio_net_watch(struct virtio_net_pair *p, uint32_t events, bool on)
{
	struct virtio_net *net = p->net;
	int fd = net->be->fds[p->index], ret;
	uint32_t want = on ? p->watching | events : p->watching & ~events;

	if (p->dead)
		want &= ~(uint32_t)EPOLLIN;
	if (want == p->watching)
		return;
	if (!p->watching)
		ret = event_loop_add(net->loop, fd, want, on_backend_ready, p);
	else if (!want)
		ret = event_loop_remove(net->loop, fd);
	else
		ret = event_loop_modify(net->loop, fd, want);
	if (ret < 0) {
		log_error("virtio-net %s: cannot watch queue %u: %s", net->be->name, p->index,
			  strerror(-ret));
		return;
	}
	p->watching = want;
}
