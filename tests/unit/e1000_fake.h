/* A guest for e1000 tests: RAM on the heap, a fake backend recording sends, register helpers. */
#ifndef CAPSULE_E1000_FAKE_H
#define CAPSULE_E1000_FAKE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nic/e1000.h"
#include "nic/e1000_regs.h"
#include "util/iov.h"

#define EF_RAM (1u << 20)
#define EF_RX_QUEUE 8

struct e1000_fake {
	struct net_backend be;		/* first: the backend's address is the fake's */
	uint8_t *ram;
	struct guest_mem gm;
	struct e1000 dev;
	bool irq;
	unsigned irq_changes, sends, wakes;
	int send_result;
	struct net_hdr last_hdr;
	uint8_t *last;			/* the last frame sent, after its header */
	uint32_t last_len;
	uint8_t *rx[EF_RX_QUEUE];	/* frames to receive, header first */
	uint32_t rx_len[EF_RX_QUEUE];
	unsigned nrx;
};

static inline void ef_set_irq(void *opaque, bool level)
{
	struct e1000_fake *f = opaque;

	f->irq = level;
	f->irq_changes++;
}

static inline void ef_wake(void *opaque)
{
	((struct e1000_fake *)opaque)->wakes++;
}

/* What a tap would refuse or misread: offsets outside the frame, offloads it does not have. */
static inline void ef_check_hdr(const struct e1000_fake *f, const struct net_hdr *h, uint32_t len)
{
	unsigned type = h->gso_type & 0x7f, ecn = h->gso_type & 0x80 ? NET_OFFLOAD_TSO_ECN : 0;
	unsigned gso = (type == 1 ? NET_OFFLOAD_TSO4 : type == 4 ? NET_OFFLOAD_TSO6 : 0) | ecn;

	if (len < 14 || h->flags > 1 || (h->gso_type && !(gso & ~ecn)) || (gso & ~f->be.offloads))
		abort();
	if (h->flags && (!(f->be.offloads & NET_OFFLOAD_CSUM) ||
			 (uint32_t)h->csum_start + h->csum_offset + 2 > len))
		abort();
	if (h->gso_type && (!h->flags || !h->gso_size || h->hdr_len >= len ||
			    h->hdr_len < h->csum_start + h->csum_offset + 2))
		abort();
}

static inline int ef_send(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n)
{
	struct e1000_fake *f = (struct e1000_fake *)be;
	size_t len = iov_size(iov, n);

	if (queue != 0 || len < NET_HDR_LEN || len > NET_FRAME_MAX)
		abort();	/* the model must never ask this */
	iov_to_buf(iov, n, 0, &f->last_hdr, NET_HDR_LEN);
	f->last_len = (uint32_t)(len - NET_HDR_LEN);
	ef_check_hdr(f, &f->last_hdr, f->last_len);
	if (f->send_result)
		return f->send_result;
	iov_to_buf(iov, n, NET_HDR_LEN, f->last, f->last_len);
	f->sends++;
	return 0;
}

static inline ssize_t ef_recv(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n)
{
	struct e1000_fake *f = (struct e1000_fake *)be;
	uint32_t len;

	if (!f->nrx)
		return -EAGAIN;
	len = f->rx_len[0];
	iov_from_buf(iov, n, 0, f->rx[0], len);
	free(f->rx[0]);
	f->nrx--;
	memmove(f->rx, f->rx + 1, f->nrx * sizeof(f->rx[0]));
	memmove(f->rx_len, f->rx_len + 1, f->nrx * sizeof(f->rx_len[0]));
	return len;
}

static inline int ef_set_rx_offloads(struct net_backend *be, unsigned offloads)
{
	return 0;
}

static const struct net_backend_ops ef_ops = { ef_send, ef_recv, ef_set_rx_offloads, NULL, NULL };

static const uint8_t ef_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static inline void ef_init(struct e1000_fake *f, unsigned offloads)
{
	struct nic_host host;

	memset(f, 0, sizeof(*f));
	f->ram = calloc(1, EF_RAM);
	f->last = malloc(NET_FRAME_MAX);
	guest_mem_init_at(&f->gm, f->ram, EF_RAM);
	f->be.ops = &ef_ops;
	f->be.queues = 1;
	f->be.offloads = offloads;
	f->be.mtu = 1500;
	host = (struct nic_host){ &f->gm, ef_set_irq, f, &f->be };
	if (e1000_init(&f->dev, &host, ef_mac))
		abort();
	f->dev.rx_wake = ef_wake;
	f->dev.hooks_opaque = f;
}

static inline void ef_free(struct e1000_fake *f)
{
	while (f->nrx)
		free(f->rx[--f->nrx]);
	e1000_free(&f->dev);
	pthread_mutex_destroy(&f->dev.lock);
	free(f->ram);
	free(f->last);
}

static inline uint32_t ef_rd(struct e1000_fake *f, unsigned off)
{
	uint8_t b[4];

	e1000_mmio(&f->dev, off, b, 4, false);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void ef_wr(struct e1000_fake *f, unsigned off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	e1000_mmio(&f->dev, off, b, 4, true);
}

/* A frame (header zeroed) waits in the backend. */
static inline void ef_queue_rx(struct e1000_fake *f, const uint8_t *frame, uint32_t len)
{
	uint8_t *p = calloc(1, NET_HDR_LEN + len);

	memcpy(p + NET_HDR_LEN, frame, len);
	f->rx[f->nrx] = p;
	f->rx_len[f->nrx++] = NET_HDR_LEN + len;
}

#endif
