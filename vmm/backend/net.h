/* The network backend interface: Ethernet frames in and out, each led by an offload header. */
#ifndef CAPSULE_NET_H
#define CAPSULE_NET_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/*
 * Every frame a backend sends or receives is led by this header: Linux's
 * packet offload metadata (the layout tap devices and packet sockets use, in
 * <linux/virtio_net.h> as virtio_net_hdr_mrg_rxbuf). It says whether the
 * frame's checksum is still to be filled in (csum_start, csum_offset) and
 * whether it is one large TCP/UDP segment to be cut in gso_size pieces.
 * A device model without offloads writes it zeroed and ignores it on receive.
 * The last field is the receiver's own: backends neither read nor write it.
 */
struct net_hdr {
	uint8_t flags;		/* 1: csum_start/csum_offset say where the checksum goes */
	uint8_t gso_type;	/* 0: one frame; else the protocol of a large segment */
	uint16_t hdr_len;	/* little-endian, like all of these */
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t reserved;
} __attribute__((packed));

#define NET_HDR_LEN 12u

/* struct net_hdr's flags and gso_type (virtio-net's values, which tap takes). */
enum { NET_HDR_NEEDS_CSUM = 1 };
enum { NET_GSO_TCPV4 = 1, NET_GSO_TCPV6 = 4, NET_GSO_ECN = 0x80 };

/* Offloads: what a receiver can take (set_rx_offloads) and a backend can do. */
enum {
	NET_OFFLOAD_CSUM = 1 << 0,	/* frames with a checksum still to fill in */
	NET_OFFLOAD_TSO4 = 1 << 1,	/* large TCP/IPv4 segments (needs CSUM) */
	NET_OFFLOAD_TSO6 = 1 << 2,	/* large TCP/IPv6 segments (needs CSUM) */
	NET_OFFLOAD_TSO_ECN = 1 << 3,	/* large segments with ECN set (needs TSO4/6) */
	NET_OFFLOAD_UFO = 1 << 4,	/* large UDP datagrams (needs CSUM) */
};

#define NET_QUEUES_MAX 8
/* The largest frame a backend hands over: header, 64 KiB segment, Ethernet and VLAN headers. */
#define NET_FRAME_MAX (NET_HDR_LEN + 14 + 4 + 65535)

struct net_backend;

/*
 * Queues are numbered 0..queues-1; each is polled separately and may be
 * served by a different thread, but one queue by one thread at a time.
 */
struct net_backend_ops {
	/*
	 * Send one frame (header first) on QUEUE. Returns 0, or -errno when it
	 * was dropped (-EAGAIN: the host side is full).
	 */
	int (*send)(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n);
	/*
	 * Receive one frame (header first) from QUEUE into IOV. Returns its whole
	 * length, which may exceed IOV's size: the frame was cut short (the
	 * caller drops it). -EAGAIN: nothing waiting; other -errno: an error.
	 */
	ssize_t (*recv)(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n);
	/* Which offloads received frames may use: a subset of be->offloads. 0 or -errno. */
	int (*set_rx_offloads)(struct net_backend *be, unsigned offloads);
	/*
	 * Use queues 0..N-1 only (1 <= N <= be->queues): the host side spreads
	 * frames over those and no other. 0 or -errno.
	 */
	int (*set_queues)(struct net_backend *be, unsigned n);
	/* Close every queue and undo what opening did to the host. */
	void (*close)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	char name[64];			/* for messages: "tap capsule0" */
	unsigned queues;		/* 1..NET_QUEUES_MAX */
	int fds[NET_QUEUES_MAX];	/* per queue: readable when a frame waits */
	unsigned offloads;		/* NET_OFFLOAD_* the backend can do both ways */
	unsigned mtu;			/* the largest IP packet, without Ethernet header */
};

#endif
