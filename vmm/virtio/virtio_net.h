/* virtio-net: a network backend as the guest's ethN, with offloads, mergeable buffers and multiqueue. */
#ifndef CAPSULE_VIRTIO_NET_H
#define CAPSULE_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "backend/net.h"
#include "event_loop.h"
#include "virtio/virtio_mmio.h"

#define VIRTIO_NET_QUEUE_SIZE 256
#define VIRTIO_NET_CTRL_QUEUE_SIZE 64
/* Receive buffers held for one frame: 64 of Linux's smallest (1518 bytes) hold a 64 KiB frame. */
#define VIRTIO_NET_RX_CHAINS 64
#define VIRTIO_NET_RX_IOVS 512
#define VIRTIO_NET_CHAIN_IOVS 64	/* buffers in one chain, either way */
#define VIRTIO_NET_RX_BUDGET 256	/* frames per turn, so one queue does not starve the rest */

/* A receive chain taken from the ring and not used yet; its buffers are iov[first .. first+n). */
struct virtio_net_rx_chain {
	uint16_t head;
	uint16_t first, n;
	uint32_t len;			/* bytes the device may write */
};

/*
 * Receive chains popped ahead of the frame that will fill them: a frame is
 * read straight into guest memory across as many chains as it needs, so
 * there must be room for the largest before reading. What a frame does not
 * use stays for the next one.
 */
struct virtio_net_rx_stage {
	struct iovec iov[VIRTIO_NET_RX_IOVS];
	struct virtio_net_rx_chain chains[VIRTIO_NET_RX_CHAINS];
	unsigned nchains, niov;
	uint64_t capacity;		/* bytes in all the chains */
};

struct virtio_net;

/* Queue pair N: receive queue 2N, transmit queue 2N+1, and the backend's queue N. */
struct virtio_net_pair {
	struct virtio_net *net;
	unsigned index;
	/*
	 * What the event loop watches the backend queue's fd for: EPOLLIN while
	 * the guest has receive buffers, EPOLLOUT while a frame waits for room.
	 */
	uint32_t watching;
	bool dead;			/* the backend queue failed: not read again */
	/*
	 * The backend was full (-EAGAIN): tx_elem's chain is held, not given
	 * back, and sent first once the fd is writable. The queue is not served
	 * meanwhile (its notifications stay off), so the guest's own queue is
	 * the buffer and no frame is lost.
	 */
	bool tx_held;
	struct virtqueue_elem tx_elem;	/* the chain being sent; its buffers in tx_iov */
	struct iovec tx_iov[VIRTIO_NET_CHAIN_IOVS];
	struct virtio_net_rx_stage stage;
};

/* What happened to frames, for tests and messages. */
struct virtio_net_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t rx_dropped;		/* no room: the guest's buffers were too small */
	uint64_t rx_bad_buffers;	/* chains that are no receive buffer (readable, too short) */
	uint64_t tx_errors;		/* malformed transmit chains */
	uint64_t tx_dropped;		/* the backend refused the frame (not for being full) */
	uint64_t tx_waits;		/* times a full backend held a frame back */
	uint64_t ctrl_errors;		/* control commands answered with VIRTIO_NET_ERR */
};

/*
 * Threads: the pairs' receive and transmit paths and the control queue run on
 * the I/O thread; activate and reset on a vCPU thread; all under the
 * transport's device lock. Only the I/O thread adds or removes event-loop fds.
 */
struct virtio_net {
	struct virtio_mmio_dev *dev;	/* the transport, set once added to the bus */
	struct net_backend *be;
	struct event_loop *loop;
	struct virtio_device_ops ops;	/* features and queue count depend on the backend */
	uint8_t mac[6];
	unsigned max_pairs;		/* be->queues */
	unsigned active_pairs;		/* what the driver uses: 0 until activated */
	unsigned rx_offloads;		/* NET_OFFLOAD_* the driver takes now */
	uint32_t rx_frame_max;		/* the largest frame that may come, header included */
	bool mergeable;			/* VIRTIO_NET_F_MRG_RXBUF negotiated */
	struct virtio_net_pair pairs[NET_QUEUES_MAX];
	struct virtio_net_stats stats;
};

/*
 * Set NET up over BE (which it then owns) with the guest's MAC; LOOP is the
 * I/O thread's, which will poll the backend. Give virtio_bus_add() &net->ops
 * with NET as opaque and store the transport in net->dev.
 */
void virtio_net_init(struct virtio_net *net, struct net_backend *be, const uint8_t mac[6],
		     struct event_loop *loop);

/* Feature bits offered over a backend that can do OFFLOADS (NET_OFFLOAD_*) with QUEUES pairs. */
uint64_t virtio_net_offered(unsigned offloads, unsigned queues);

/* What the driver takes in received frames, as NET_OFFLOAD_* bits, from its FEATURES. */
unsigned virtio_net_rx_offloads(uint64_t features);

/* The control queue's index: after all pairs with MQ negotiated, else 2. */
unsigned virtio_net_ctrl_queue(const struct virtio_net *net);

/* Used by the parts of the device (virtio_net_rx.c, _tx.c, _ctrl.c, _poll.c); device lock held. */
/* Whether queue Q of pair P may be served: the pair in use by an activated, working driver. */
bool virtio_net_pair_live(const struct virtio_net_pair *p, unsigned q);
/* Watch P's backend fd for EVENTS (EPOLLIN, EPOLLOUT) too, or no longer. I/O thread. */
void virtio_net_watch(struct virtio_net_pair *p, uint32_t events, bool on);
void virtio_net_rx(struct virtio_net_pair *p);
void virtio_net_rx_kick(struct virtio_net_pair *p);
void virtio_net_rx_reset(struct virtio_net_pair *p);
void virtio_net_tx(struct virtio_net_pair *p);
/* Give a held frame back to the guest unsent: its pair leaves use. */
void virtio_net_tx_release(struct virtio_net_pair *p);
void virtio_net_ctrl(struct virtio_net *net);
/* Apply receive offloads (NET_OFFLOAD_*): the backend's and the frame size limit. 0 or -errno. */
int virtio_net_set_rx_offloads(struct virtio_net *net, unsigned offloads);
/* Use pairs 0..N-1: the backend's queues and the polling follow. 0 or -errno. */
int virtio_net_set_pairs(struct virtio_net *net, unsigned n);

#endif
