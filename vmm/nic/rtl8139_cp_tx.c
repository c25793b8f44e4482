/*
 * The RTL8139C+'s C+ mode transmit: descriptors from TNPDS, gathered into one
 * frame from FS to LS, its checksum and large-send requests turned into the
 * backend's struct net_hdr so that a 64 KiB TCP segment leaves whole.
 */
#include <string.h>
#include <sys/uio.h>

#include "nic/offload.h"
#include "nic/rtl8139_impl.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_8021Q 0x8100
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define TCP_FLAG_CWR 0x80
#define TSO_MSS_MIN 8
/* The longest frame without large send: 8139cp's largest MTU, 4096, and the Ethernet header. */
#define TX_FRAME_MAX (4096 + ETH_HLEN + 4)

/* An IPv4 frame's layout, as the checksum and large-send offloads need it. */
struct ipv4_frame {
	uint32_t l3, l4, end;	/* IP header, its payload, the datagram's end */
	uint8_t proto;
};

/*
 * The IPv4 header behind an Ethernet (and maybe 802.1Q) header, checked
 * against LEN; with WHOLE the datagram too (large send sets its length here).
 */
static bool parse_ipv4(const uint8_t *f, uint32_t len, bool whole, struct ipv4_frame *p)
{
	uint32_t off = ETH_HLEN, ihl, total;
	uint16_t type;

	if (len < ETH_HLEN + 4)
		return false;
	type = get_be16(f + 12);
	if (type == ETH_P_8021Q) {
		type = get_be16(f + 16);
		off += 4;
	}
	if (type != ETH_P_IP || len < off + 20 || (f[off] >> 4) != 4)
		return false;
	ihl = (f[off] & 15u) * 4;
	total = whole ? get_be16(f + off + 2) : len - off;
	if (ihl < 20 || total < ihl || off + total > len)
		return false;
	*p = (struct ipv4_frame){ off, off + ihl, off + total, f[off + 9] };
	return true;
}

/* The TCP or UDP pseudo-header's sum for an L4LEN-byte payload. */
static uint32_t pseudo_sum(const uint8_t *f, const struct ipv4_frame *p, uint32_t l4len)
{
	return inet_csum_add(0, f + p->l3 + 12, 8) + p->proto + l4len;
}

/* IPCS: the header checksum, computed here (no backend fills in IPv4 headers). */
static void ip_csum(uint8_t *f, const struct ipv4_frame *p)
{
	put_be16(f + p->l3 + 10, 0);
	put_be16(f + p->l3 + 10, (uint16_t)~inet_csum_fold(inet_csum_add(0, f + p->l3, p->l4 - p->l3)));
}

/*
 * TCPCS or UDPCS: the field gets the pseudo-header's sum (whatever the guest
 * left there), then the backend finishes it when it can and the datagram ends
 * the frame; else it is done here.
 */
static bool l4_csum(struct rtl8139 *dev, struct net_hdr *h, uint8_t *f, uint32_t len,
		    const struct ipv4_frame *p, bool tcp)
{
	uint32_t at = p->l4 + (tcp ? 16 : 6), l4len = p->end - p->l4;
	uint16_t sum;

	if (p->proto != (tcp ? IPPROTO_TCP : IPPROTO_UDP) || at + 2 > p->end)
		return false;
	put_be16(f + at, inet_csum_fold(pseudo_sum(f, p, l4len)));
	if ((dev->host.be->offloads & NET_OFFLOAD_CSUM) && p->end == len) {
		h->flags = NET_HDR_NEEDS_CSUM;
		h->csum_start = (uint16_t)p->l4;
		h->csum_offset = (uint16_t)(at - p->l4);
		return true;
	}
	sum = (uint16_t)~inet_csum_fold(inet_csum_add(0, f + p->l4, l4len));
	put_be16(f + at, (!tcp && !sum) ? 0xffff : sum);	/* UDP's 0 means "none" */
	return true;
}

/* LGSEN: one TCP/IPv4 segment, cut into MSS-sized frames by the backend. */
static bool large_send(struct rtl8139 *dev, struct net_hdr *h, uint8_t *f, uint32_t len,
		       const struct ipv4_frame *p, uint32_t mss)
{
	const unsigned need = NET_OFFLOAD_TSO4 | NET_OFFLOAD_CSUM;
	uint32_t hdr;

	if (p->proto != IPPROTO_TCP || mss < TSO_MSS_MIN || p->l4 + 20 > len ||
	    (dev->host.be->offloads & need) != need)
		return false;
	hdr = p->l4 + (f[p->l4 + 12] >> 4) * 4u;
	if (hdr < p->l4 + 20 || hdr >= len || len - p->l3 > 0xffff)
		return false;
	put_be16(f + p->l3 + 2, (uint16_t)(len - p->l3));	/* the segment's, as the backend cuts it */
	ip_csum(f, p);
	put_be16(f + p->l4 + 16, inet_csum_fold(inet_csum_add(0, f + p->l3 + 12, 8) + IPPROTO_TCP +
						 (len - p->l4)));
	h->flags = NET_HDR_NEEDS_CSUM;
	h->gso_type = NET_GSO_TCPV4;
	/* CWR set: like any ECN segment, only what handles ECN may cut it (tap: TSO_ECN). */
	if ((f[p->l4 + 13] & TCP_FLAG_CWR) && (dev->host.be->offloads & NET_OFFLOAD_TSO_ECN))
		h->gso_type |= NET_GSO_ECN;
	h->hdr_len = (uint16_t)hdr;
	h->gso_size = (uint16_t)mss;
	h->csum_start = (uint16_t)p->l4;
	h->csum_offset = 16;
	return true;
}

/* The offloads the frame's first descriptor asked for. False: they make no sense, drop it. */
static bool offloads(struct rtl8139 *dev, struct net_hdr *h, uint8_t *f, uint32_t len)
{
	uint32_t o = dev->cp.tx_opts1;
	struct ipv4_frame p;

	if (o & RTL_TXD_LGSEN) {
		return parse_ipv4(f, len, false, &p) &&
		       large_send(dev, h, f, len, &p, (o >> RTL_TXD_MSS_SHIFT) & RTL_TXD_MSS_MASK);
	}
	if (len > TX_FRAME_MAX)
		return false;
	if (!(o & (RTL_TXD_IPCS | RTL_TXD_TCPCS | RTL_TXD_UDPCS)))
		return true;
	if (!parse_ipv4(f, len, true, &p))
		return false;
	if (o & RTL_TXD_IPCS)
		ip_csum(f, &p);
	if (o & (RTL_TXD_TCPCS | RTL_TXD_UDPCS))
		return l4_csum(dev, h, f, len, &p, o & RTL_TXD_TCPCS);
	return true;
}

/* LS reached: the gathered frame goes to the backend. False: it was bad and is dropped. */
static bool tx_send(struct rtl8139 *dev)
{
	struct rtl8139_cplus *cp = &dev->cp;
	struct net_backend *be = dev->host.be;
	struct net_hdr h = { 0 };
	uint32_t len = cp->tx_len;
	struct iovec iov[2];

	if (cp->tx_bad || len < ETH_HLEN)
		return false;
	if (!offloads(dev, &h, cp->txbuf, len)) {
		dev->stats.tx_bad_offload++;
		return false;
	}
	/* TAGC: opts2 holds the TCI byte-swapped, as 8139cp writes it. */
	if (cp->tx_opts2 & RTL_TXD_TAGC)
		offload_vlan_insert(&h, cp->txbuf, &len, ETH_P_8021Q,
				    (uint16_t)((cp->tx_opts2 & 0xff) << 8 | (cp->tx_opts2 >> 8 & 0xff)));
	iov[0] = (struct iovec){ &h, NET_HDR_LEN };
	iov[1] = (struct iovec){ cp->txbuf, len };
	/* A full tap (-EAGAIN) drops the frame: the vCPU never waits on the host. */
	if (be->ops->send(be, 0, iov, 2) < 0)
		dev->stats.tx_backend_drops++;
	else
		dev->stats.tx_frames++;
	return true;
}

/* One buffer of the frame, copied now so that the guest cannot change it under the checksum. */
static void tx_gather(struct rtl8139 *dev, uint64_t addr, uint32_t len)
{
	struct rtl8139_cplus *cp = &dev->cp;

	if (cp->tx_bad || !len)
		return;
	if (len > RTL8139_CP_TX_MAX - cp->tx_len ||
	    guest_mem_read(dev->host.mem, addr, cp->txbuf + cp->tx_len, len)) {
		dev->stats.tx_bad_desc++;
		cp->tx_bad = true;
		return;
	}
	cp->tx_len += len;
}

/* One descriptor the chip owns: its buffer gathered, and at LS the frame sent. Returns opts1 to write back. */
static uint32_t tx_desc(struct rtl8139 *dev, uint32_t opts1, uint32_t opts2, uint64_t addr,
			bool *sent, bool *failed)
{
	struct rtl8139_cplus *cp = &dev->cp;

	if ((opts1 & RTL_DESC_FS) || !cp->tx_busy) {
		if (cp->tx_busy)
			dev->stats.tx_bad_desc++;	/* a frame without LS: lost */
		cp->tx_busy = true;
		cp->tx_bad = !(opts1 & RTL_DESC_FS);	/* a fragment without FS: dropped up to LS */
		cp->tx_opts1 = opts1;
		cp->tx_opts2 = opts2;
		cp->tx_len = 0;
	}
	tx_gather(dev, addr, opts1 & RTL_TXD_LEN);
	opts1 &= ~(RTL_DESC_OWN | RTL_TXD_ERR);
	if (opts1 & RTL_DESC_LS) {
		cp->tx_busy = false;
		if (tx_send(dev))
			*sent = true;
		else {
			*failed = true;
			opts1 |= RTL_TXD_ERR;
		}
	}
	return opts1;
}

uint64_t rtl8139_cp_ring_addr(uint32_t lo, uint32_t hi, unsigned index)
{
	return ((uint64_t)hi << 32 | lo) + (uint64_t)index * RTL_DESC_SIZE;
}

/*
 * TPPoll's NPQ: every descriptor the guest gave the chip, from where the last
 * poll stopped, up to one it still owns; a ring's worth at most per poll.
 * The high-priority ring (THPDS) is left alone: 8139cp never fills it.
 */
void rtl8139_cp_tx_poll(struct rtl8139 *dev)
{
	struct rtl8139_cplus *cp = &dev->cp;
	bool sent = false, failed = false;

	if (!(dev->cr & RTL_CR_TE) || !(cp->cpcr & RTL_CPCR_TXON))
		return;
	for (unsigned n = 0; n < RTL8139_CP_RING_MAX; n++) {
		uint64_t at = rtl8139_cp_ring_addr(dev->tsad[0], dev->tsad[1], cp->tx_next);
		uint8_t d[RTL_DESC_SIZE], wb[4];
		uint32_t opts1;

		if (guest_mem_read(dev->host.mem, at, d, sizeof(d))) {
			dev->stats.tx_bad_desc++;
			failed = true;
			break;
		}
		opts1 = rtl8139_le32(d);
		if (!(opts1 & RTL_DESC_OWN))
			break;
		opts1 = tx_desc(dev, opts1, rtl8139_le32(d + 4),
				(uint64_t)rtl8139_le32(d + 12) << 32 | rtl8139_le32(d + 8), &sent, &failed);
		rtl8139_put_le32(wb, opts1);
		guest_mem_write(dev->host.mem, at, wb, sizeof(wb));	/* read just now: it is RAM */
		cp->tx_next = (opts1 & RTL_DESC_EOR) ? 0 : (cp->tx_next + 1) % RTL8139_CP_RING_MAX;
	}
	if (sent)
		dev->isr |= RTL_INT_TOK;
	if (failed)
		dev->isr |= RTL_INT_TER;
}

void rtl8139_cp_tx_reset(struct rtl8139 *dev)
{
	dev->cp.tx_next = 0;
	dev->cp.tx_busy = false;
}
