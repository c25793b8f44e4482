/*
 * The e1000 transmit ring: legacy and extended descriptors gathered into one
 * frame per EOP, the context's checksum and TSO offloads turned into the
 * backend's struct net_hdr, so that a 64 KiB TCP segment leaves whole.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "nic/e1000_regs.h"
#include "nic/offload.h"

/* The longest frame the backend takes, less the 4 bytes a VLAN tag may add. */
#define TX_FRAME_MAX (NET_FRAME_MAX - NET_HDR_LEN - 4)
#define TX_FRAME_MIN 14		/* an Ethernet header */
#define TSO_MSS_MIN 8
#define TCP_FLAG_CWR 0x80

/* The one's complement checksum of F[START..END] (inclusive) goes in at OFF. */
static void csum_insert(uint8_t *f, uint32_t start, uint32_t end, uint32_t off)
{
	put_be16(f + off, (uint16_t)~inet_csum_fold(inet_csum_add(0, f + start, end - start + 1)));
}

/* Whether a checksum from START to END (inclusive; 0: the end) stored at OFF fits a LEN-byte frame. */
static bool csum_fits(uint32_t start, uint32_t off, uint32_t *end, uint32_t len)
{
	if (*end == 0 || *end >= len)
		*end = len - 1;
	return start <= *end && off + 2 <= len && start < len;
}

/* IXSM: the IPv4 header checksum, with its field zeroed first as the header's own rule wants. */
static bool ip_csum(const struct e1000_tx_ctx *c, uint8_t *f, uint32_t len, uint32_t end)
{
	if (!csum_fits(c->ipcss, c->ipcso, &end, len) || c->ipcso < c->ipcss)
		return false;
	put_be16(f + c->ipcso, 0);
	csum_insert(f, c->ipcss, end, c->ipcso);
	return true;
}

/*
 * The checksum from START to END stored at OFF: left to the backend when it
 * can and the sum runs to the end of the frame, else done here.
 */
static bool l4_csum(struct e1000 *dev, struct net_hdr *h, uint8_t *f, uint32_t len,
		    uint32_t start, uint32_t off, uint32_t end)
{
	if (!csum_fits(start, off, &end, len))
		return false;
	if ((dev->host.be->offloads & NET_OFFLOAD_CSUM) && end == len - 1 && off >= start &&
	    off - start <= 0xffff) {
		h->flags = NET_HDR_NEEDS_CSUM;
		h->csum_start = (uint16_t)start;
		h->csum_offset = (uint16_t)(off - start);
		return true;
	}
	csum_insert(f, start, end, off);
	return true;
}

/*
 * TSO: the IP length fields made those of the whole segment and the TCP
 * pseudo-header sum (which the driver leaves without a length) given the
 * segment's length; the backend cuts it into MSS-sized frames.
 */
static bool tso(struct e1000 *dev, struct net_hdr *h, uint8_t *f, uint32_t len)
{
	const struct e1000_tx_ctx *c = &dev->ctx;
	bool v4 = c->tucmd & E1000_TUCMD_IP;
	unsigned need = v4 ? NET_OFFLOAD_TSO4 | NET_OFFLOAD_CSUM : NET_OFFLOAD_TSO6 | NET_OFFLOAD_CSUM;
	uint32_t iphl = v4 ? 20 : 40, l4len = len - c->tucss;

	if (!(c->tucmd & E1000_TUCMD_TCP) || c->mss < TSO_MSS_MIN || c->ipcss < TX_FRAME_MIN ||
	    c->ipcss + iphl > c->tucss || c->tucss + 20u > c->hdr_len || c->tucso < c->tucss ||
	    c->tucso + 2u > c->hdr_len || c->hdr_len >= len || len - c->ipcss > 0xffff ||
	    (f[c->ipcss] >> 4) != (v4 ? 4 : 6))
		return false;
	if ((dev->host.be->offloads & need) != need)
		return false;
	if (v4) {
		put_be16(f + c->ipcss + 2, (uint16_t)(len - c->ipcss));
		if ((dev->tx.popts & E1000_POPTS_IXSM) && !ip_csum(c, f, c->tucss, c->ipcse))
			return false;
	} else {
		put_be16(f + c->ipcss + 4, (uint16_t)(len - c->ipcss - iphl));
	}
	put_be16(f + c->tucso, inet_csum_fold((uint32_t)get_be16(f + c->tucso) + l4len));
	h->flags = NET_HDR_NEEDS_CSUM;
	h->gso_type = v4 ? NET_GSO_TCPV4 : NET_GSO_TCPV6;
	/* CWR set: like any ECN segment, only what handles ECN may cut it (tap: TSO_ECN). */
	if ((f[c->tucss + 13] & TCP_FLAG_CWR) && (dev->host.be->offloads & NET_OFFLOAD_TSO_ECN))
		h->gso_type |= NET_GSO_ECN;
	h->hdr_len = c->hdr_len;
	h->gso_size = c->mss;
	h->csum_start = c->tucss;
	h->csum_offset = (uint16_t)(c->tucso - c->tucss);
	return true;
}

/* The offloads the frame's first descriptor asked for. False: they make no sense, drop it. */
static bool offloads(struct e1000 *dev, struct net_hdr *h, uint8_t *f, uint32_t len)
{
	const struct e1000_tx_ctx *c = &dev->ctx;
	struct e1000_tx_frame *tx = &dev->tx;

	if (tx->legacy)
		return !(tx->cmd & E1000_TXD_IC) ||
		       l4_csum(dev, h, f, len, tx->css, tx->cso, 0);
	if (tx->tse)
		return tso(dev, h, f, len);
	if ((tx->popts & E1000_POPTS_IXSM) && !ip_csum(c, f, len, c->ipcse))
		return false;
	return !(tx->popts & E1000_POPTS_TXSM) ||
	       l4_csum(dev, h, f, len, c->tucss, c->tucso, c->tucse);
}

static void tx_send(struct e1000 *dev, uint16_t tci)
{
	struct e1000_tx_frame *tx = &dev->tx;
	struct net_hdr h = { 0 };
	uint32_t len = tx->len;
	struct iovec iov[2];

	if (tx->bad || len < TX_FRAME_MIN) {
		dev->stats.tx_dropped++;
		return;
	}
	if (!dev->host.be || !offloads(dev, &h, tx->buf, len)) {
		dev->stats.tx_bad_ctx++;
		dev->stats.tx_dropped++;
		return;
	}
	/* VLE with VLAN mode on: the tag goes in after the addresses. */
	if ((tx->cmd & E1000_TXD_VLE) && (e1000_reg(dev, E1000_CTRL) & E1000_CTRL_VME))
		offload_vlan_insert(&h, tx->buf, &len, (uint16_t)e1000_reg(dev, E1000_VET), tci);
	iov[0] = (struct iovec){ &h, NET_HDR_LEN };
	iov[1] = (struct iovec){ tx->buf, len };
	/* A full tap (-EAGAIN) drops the frame: the vCPU never waits on the host. */
	if (dev->host.be->ops->send(dev->host.be, 0, iov, 2) < 0)
		dev->stats.tx_dropped++;
	else {
		dev->stats.tx_frames++;
		e1000_count(dev, false, tx->buf, len);
	}
}

/* One buffer of the frame: copied now, so that the guest cannot change it under the checksum. */
static void tx_gather(struct e1000 *dev, uint64_t addr, uint32_t len)
{
	struct e1000_tx_frame *tx = &dev->tx;

	if (!len) {
		dev->stats.tx_zero_len++;
		return;
	}
	if (tx->bad)
		return;
	if (len > TX_FRAME_MAX - tx->len ||
	    guest_mem_read(dev->host.mem, addr, tx->buf + tx->len, len)) {
		dev->stats.tx_bad_desc++;
		tx->bad = true;
		return;
	}
	tx->len += len;
}

static void tx_context(struct e1000 *dev, const uint8_t *d)
{
	struct e1000_tx_ctx *c = &dev->ctx;

	c->ipcss = d[0];
	c->ipcso = d[1];
	c->ipcse = (uint16_t)(d[2] | d[3] << 8);
	c->tucss = d[4];
	c->tucso = d[5];
	c->tucse = (uint16_t)(d[6] | d[7] << 8);
	c->paylen = (d[8] | d[9] << 8 | d[10] << 16) & 0xfffff;
	c->tucmd = d[11];
	c->hdr_len = d[13];
	c->mss = (uint16_t)(d[14] | d[15] << 8);
}

/* One descriptor D of the ring. */
static void tx_desc(struct e1000 *dev, const uint8_t *d)
{
	struct e1000_tx_frame *tx = &dev->tx;
	uint64_t addr = 0;
	uint8_t cmd = d[11], dtyp = d[10] >> 4;
	uint32_t len;

	for (int i = 7; i >= 0; i--)
		addr = addr << 8 | d[i];
	if ((cmd & E1000_TXD_DEXT) && dtyp == E1000_TXD_DTYP_CTX) {
		tx_context(dev, d);
		return;
	}
	if ((cmd & E1000_TXD_DEXT) && dtyp != E1000_TXD_DTYP_DATA) {
		dev->stats.tx_bad_desc++;
		tx->bad = tx->started = true;
	} else if (cmd & E1000_TXD_DEXT) {
		len = (d[8] | d[9] << 8 | d[10] << 16) & 0xfffff;
		if (!tx->started)
			*tx = (struct e1000_tx_frame){ .buf = tx->buf, .started = true, .cmd = cmd,
						       .tse = cmd & E1000_TXD_TSE, .popts = d[13] };
		tx_gather(dev, addr, len);
	} else {
		len = (uint32_t)(d[8] | d[9] << 8);
		if (!tx->started)
			*tx = (struct e1000_tx_frame){ .buf = tx->buf, .started = true, .cmd = cmd,
						       .legacy = true, .cso = d[10], .css = d[13] };
		tx_gather(dev, addr, len);
	}
	if (cmd & E1000_TXD_EOP) {
		tx_send(dev, (uint16_t)(d[14] | d[15] << 8));
		*tx = (struct e1000_tx_frame){ .buf = tx->buf };
	}
}

/*
 * The guest moved TDT (or enabled transmit): send from TDH up to TDT. At most
 * one lap of the ring per call, and each frame at most 64 KiB: the vCPU's
 * exit is bounded whatever the ring holds.
 */
void e1000_tx_run(struct e1000 *dev)
{
	uint64_t base = e1000_ring_base(dev, E1000_TDBAL);
	uint32_t n = e1000_ring_entries(dev, E1000_TDLEN);
	uint32_t head = e1000_reg(dev, E1000_TDH), tail = e1000_reg(dev, E1000_TDT);
	uint32_t budget = n, done = 0;
	uint8_t d[E1000_DESC_LEN];

	if (!(e1000_reg(dev, E1000_TCTL) & E1000_TCTL_EN) || head == tail)
		return;
	if (!n || head >= n || tail >= n) {
		dev->stats.tx_bad_ring++;
		return;
	}
	while (head != tail && budget--) {
		uint64_t at = base + (uint64_t)head * E1000_DESC_LEN;

		if (guest_mem_read(dev->host.mem, at, d, sizeof(d))) {
			dev->stats.tx_bad_ring++;
			break;
		}
		tx_desc(dev, d);
		if (d[11] & (E1000_TXD_RS | E1000_TXD_RPS)) {
			uint8_t status = d[12] | E1000_TXD_DD;

			guest_mem_write(dev->host.mem, at + 12, &status, 1);
			done++;
		}
		head = (head + 1) % n;
	}
	e1000_set_reg(dev, E1000_TDH, head);
	e1000_raise(dev, (done ? E1000_ICR_TXDW : 0) | (head == tail ? E1000_ICR_TXQE : 0));
}
