/*
 * The e1000 receive ring, fed by the I/O thread: frames from the backend are
 * filtered by the station address, broadcast and multicast table, then
 * written over as many legacy descriptors as they need.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "nic/e1000_regs.h"
#include "nic/offload.h"

#define RX_BUDGET 64		/* frames per call: the I/O thread serves others too */
#define FCS_LEN 4		/* the driver takes 4 bytes of CRC off every frame */

/* RCTL's buffer size: BSIZE, times 16 with BSEX. */
static uint32_t rx_buf_size(uint32_t rctl)
{
	static const uint32_t size[4] = { 2048, 1024, 512, 256 };
	unsigned bsize = (rctl >> E1000_RCTL_BSIZE_SHIFT) & 3;

	if ((rctl & E1000_RCTL_BSEX) && bsize)
		return size[bsize] * 16;
	return size[bsize];
}

/* The 12 bits of a multicast address that index the MTA, per RCTL.MO. */
static unsigned mta_hash(const uint8_t *a, unsigned mo)
{
	static const unsigned shift[4] = { 4, 3, 2, 0 };

	return ((a[4] >> shift[mo]) | (unsigned)a[5] << (8 - shift[mo])) & 0xfff;
}

/* Whether the filters take a frame for destination DST. */
static bool rx_accept(const struct e1000 *dev, const uint8_t *dst)
{
	uint32_t rctl = e1000_reg(dev, E1000_RCTL);
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned h;

	if (!memcmp(dst, bcast, 6))
		return rctl & (E1000_RCTL_BAM | E1000_RCTL_MPE);
	if (dst[0] & 1) {
		if (rctl & E1000_RCTL_MPE)
			return true;
		h = mta_hash(dst, (rctl >> E1000_RCTL_MO_SHIFT) & 3);
		return (e1000_reg(dev, E1000_MTA + 4 * (h >> 5)) >> (h & 31)) & 1;
	}
	if (rctl & E1000_RCTL_UPE)
		return true;
	for (unsigned i = 0; i < E1000_RA_ENTRIES; i++) {
		uint32_t lo = e1000_reg(dev, E1000_RA + 8 * i), hi = e1000_reg(dev, E1000_RA + 8 * i + 4);
		const uint8_t ra[6] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)(lo >> 16),
					(uint8_t)(lo >> 24), (uint8_t)hi, (uint8_t)(hi >> 8) };

		if ((hi & E1000_RAH_AV) && !memcmp(dst, ra, 6))
			return true;
	}
	return false;
}

/*
 * The backend's header: a checksum left to fill (the receiver asked for no
 * offloads, but a backend may still hand one) is done here; a large segment
 * cannot be taken. False: drop.
 */
static bool rx_fix_csum(const struct net_hdr *h, uint8_t *f, uint32_t len)
{
	uint32_t start = h->csum_start, off = start + h->csum_offset;
	uint32_t sum;

	if (h->gso_type)
		return false;
	if (!(h->flags & NET_HDR_NEEDS_CSUM))
		return true;
	if (start >= len || off + 2 > len)
		return false;
	sum = inet_csum_add(0, f + start, len - start);
	f[off] = (uint8_t)~(inet_csum_fold(sum) >> 8);
	f[off + 1] = (uint8_t)~inet_csum_fold(sum);
	return true;
}

/* VLAN mode: a tag matching VET is taken off and reported in the descriptor. */
static uint16_t rx_vlan_strip(const struct e1000 *dev, uint8_t *f, uint32_t *len, uint8_t *status)
{
	uint16_t tci;

	if (!(e1000_reg(dev, E1000_CTRL) & E1000_CTRL_VME) || *len < 18 ||
	    (uint32_t)(f[12] << 8 | f[13]) != (e1000_reg(dev, E1000_VET) & 0xffff))
		return 0;
	tci = (uint16_t)(f[14] << 8 | f[15]);
	memmove(f + 12, f + 16, *len - 16);
	*len -= 4;
	*status |= E1000_RXD_VP;
	return tci;
}

/* Free descriptors: from RDH up to, not including, RDT. */
static uint32_t rx_free(uint32_t head, uint32_t tail, uint32_t n)
{
	return (tail + n - head) % n;
}

/*
 * Write the LEN-byte frame F over the descriptors from RDH. The caller made
 * sure there are enough of them.
 */
static void rx_store(struct e1000 *dev, const uint8_t *f, uint32_t len, uint8_t status,
		     uint16_t special)
{
	uint64_t base = e1000_ring_base(dev, E1000_RDBAL);
	uint32_t n = e1000_ring_entries(dev, E1000_RDLEN), head = e1000_reg(dev, E1000_RDH);
	uint32_t bufsize = rx_buf_size(e1000_reg(dev, E1000_RCTL)), done = 0;
	uint8_t d[E1000_DESC_LEN];

	while (done < len) {
		uint64_t at = base + (uint64_t)head * E1000_DESC_LEN, addr = 0;
		uint32_t chunk = len - done < bufsize ? len - done : bufsize;

		if (guest_mem_read(dev->host.mem, at, d, 8)) {
			dev->stats.rx_bad_desc++;
			break;
		}
		for (int i = 7; i >= 0; i--)
			addr = addr << 8 | d[i];
		if (guest_mem_write(dev->host.mem, addr, f + done, chunk))
			dev->stats.rx_bad_desc++;
		done += chunk;
		memset(d + 8, 0, 8);
		d[8] = (uint8_t)chunk;
		d[9] = (uint8_t)(chunk >> 8);
		d[12] = E1000_RXD_DD | (done == len ? E1000_RXD_EOP | status : 0);
		d[14] = (uint8_t)special;
		d[15] = (uint8_t)(special >> 8);
		guest_mem_write(dev->host.mem, at + 8, d + 8, 8);
		head = (head + 1) % n;
	}
	e1000_set_reg(dev, E1000_RDH, head);
}

/*
 * After one frame: the backend ran dry, more may wait, the ring is full, or
 * the backend failed for good (passt gone: its socket stays readable at EOF).
 */
enum rx_result { RX_DONE, RX_MORE, RX_FULL, RX_DEAD };

/* Whether the ring can take LEN more bytes now: descriptors enough, ring sane, receiver on. */
static bool rx_room(struct e1000 *dev, uint32_t len)
{
	uint32_t n = e1000_ring_entries(dev, E1000_RDLEN);
	uint32_t head = e1000_reg(dev, E1000_RDH), tail = e1000_reg(dev, E1000_RDT);
	uint32_t bufsize = rx_buf_size(e1000_reg(dev, E1000_RCTL));

	if (!n || head >= n || tail >= n)
		return false;
	return rx_free(head, tail, n) >= (len + bufsize - 1) / bufsize;
}

/* A frame needing more descriptors than the ring can ever offer would stall it: drop it. */
static bool rx_never_fits(struct e1000 *dev, uint32_t len)
{
	uint32_t n = e1000_ring_entries(dev, E1000_RDLEN);
	uint32_t bufsize = rx_buf_size(e1000_reg(dev, E1000_RCTL));

	return n && (len + bufsize - 1) / bufsize > n - 1;
}

/* After a frame: RXT0, and RXDMT0 when the free descriptors fell to RCTL.RDMTS of the ring. */
static void rx_interrupt(struct e1000 *dev)
{
	uint32_t n = e1000_ring_entries(dev, E1000_RDLEN);
	uint32_t fr = rx_free(e1000_reg(dev, E1000_RDH), e1000_reg(dev, E1000_RDT), n);
	unsigned rdmts = (e1000_reg(dev, E1000_RCTL) >> E1000_RCTL_RDMTS_SHIFT) & 3;
	uint32_t causes = E1000_ICR_RXT0;

	if (rdmts < 3 && fr <= n >> (rdmts + 1))
		causes |= E1000_ICR_RXDMT0;
	e1000_raise(dev, causes);
}

/* The frame in rxbuf (LEN bytes, header first): into the ring, dropped, or kept for later. */
static enum rx_result rx_deliver(struct e1000 *dev, uint32_t len)
{
	uint8_t *f = dev->rxbuf + NET_HDR_LEN, status = 0;
	struct net_hdr h;
	uint32_t flen = len - NET_HDR_LEN;
	uint16_t special;

	memcpy(&h, dev->rxbuf, sizeof(h));
	if (flen < 14 || !rx_fix_csum(&h, f, flen)) {
		dev->stats.rx_dropped++;
		return RX_MORE;
	}
	if (!rx_accept(dev, f)) {
		dev->stats.rx_filtered++;
		return RX_MORE;
	}
	if (!(e1000_reg(dev, E1000_RCTL) & E1000_RCTL_SECRC))
		flen += FCS_LEN;	/* zeros where the CRC would be: the driver takes it off */
	if (rx_never_fits(dev, flen)) {
		dev->stats.rx_dropped++;
		return RX_MORE;
	}
	if (!rx_room(dev, flen)) {
		/* Keep it until the guest gives descriptors (the header stays as fixed). */
		memcpy(dev->rxbuf, &(struct net_hdr){ 0 }, sizeof(h));
		dev->rx_pending = len;
		return RX_FULL;
	}
	memset(f + len - NET_HDR_LEN, 0, FCS_LEN);
	special = rx_vlan_strip(dev, f, &flen, &status);
	rx_store(dev, f, flen, status, special);
	dev->rx_pending = 0;
	dev->stats.rx_frames++;
	e1000_count(dev, true, f, flen);
	rx_interrupt(dev);
	return RX_MORE;
}

/* One frame from the backend, or the one kept back for want of descriptors. */
static enum rx_result rx_one(struct e1000 *dev)
{
	struct net_backend *be = dev->host.be;
	struct iovec iov = { dev->rxbuf, NET_FRAME_MAX };
	ssize_t len;

	if (dev->rx_pending) {
		if (!(e1000_reg(dev, E1000_RCTL) & E1000_RCTL_EN))
			dev->rx_pending = 0;	/* the receiver went off: the frame is gone */
		else
			return rx_deliver(dev, dev->rx_pending);
	}
	len = be->ops->recv(be, 0, &iov, 1);
	if (len == -EAGAIN || len == -EINTR)
		return RX_DONE;
	if (len < (ssize_t)NET_HDR_LEN || len > NET_FRAME_MAX - FCS_LEN) {
		dev->stats.rx_dropped++;
		return len < 0 ? RX_DEAD : RX_MORE;
	}
	if (!(e1000_reg(dev, E1000_RCTL) & E1000_RCTL_EN)) {
		/* Off: frames are read and dropped, as the hardware would on the wire. */
		dev->stats.rx_dropped++;
		return RX_MORE;
	}
	return rx_deliver(dev, (uint32_t)len);
}

bool e1000_rx_ready(struct e1000 *dev)
{
	enum rx_result r = RX_MORE;

	pthread_mutex_lock(&dev->lock);
	for (unsigned i = 0; i < RX_BUDGET && r == RX_MORE && dev->host.be; i++)
		r = rx_one(dev);
	if (r == RX_FULL)
		dev->rx_stalled = true;
	pthread_mutex_unlock(&dev->lock);
	/* Dead: not watched again (no stall, so no wake-up either): no busy loop on its fd. */
	return r != RX_FULL && r != RX_DEAD;
}
