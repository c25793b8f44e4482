/*
 * The RTL8139C+'s C+ mode receive: each frame into the buffer of the next
 * descriptor the guest gave the chip (RDSAR's ring), then the descriptor
 * handed back with the frame's length and kind.
 */
#include <string.h>

#include "nic/rtl8139_impl.h"

#define RX_CRC_LEN 4u

static uint64_t rx_desc_at(const struct rtl8139 *dev)
{
	return rtl8139_cp_ring_addr(dev->cp.rdsar[0], dev->cp.rdsar[1], dev->cp.rx_next);
}

/* The next descriptor's opts1, or false when the ring is not in guest RAM. */
static bool rx_opts1(const struct rtl8139 *dev, uint32_t *opts1)
{
	uint8_t b[4];

	if (guest_mem_read(dev->host.mem, rx_desc_at(dev), b, sizeof(b)))
		return false;
	*opts1 = rtl8139_le32(b);
	return true;
}

/*
 * Whether the next descriptor is the chip's. A ring outside RAM counts as
 * room: its frames are dropped (and counted) rather than held back for good.
 */
bool rtl8139_cp_rx_room(const struct rtl8139 *dev)
{
	uint32_t opts1;

	return !rx_opts1(dev, &opts1) || (opts1 & RTL_DESC_OWN);
}

/* The C mode header's kind bits (broadcast, physical match, multicast) as the descriptor has them. */
static uint32_t desc_kind(uint16_t status)
{
	return ((status & RTL_RX_BAR) ? RTL_RXD_BAR : 0) | ((status & RTL_RX_PAM) ? RTL_RXD_PAM : 0) |
	       ((status & RTL_RX_MAR) ? RTL_RXD_MAR : 0);
}

/*
 * One frame that passed the filters (STATUS: the C mode header's bits). A
 * frame larger than the descriptor's buffer is dropped: the chip would spread
 * it over several, which 8139cp does not take either. The checksum bits stay
 * 0 ("not IP"), so the guest checks for itself.
 */
void rtl8139_cp_rx_frame(struct rtl8139 *dev, const uint8_t *frame, uint32_t len, uint16_t status)
{
	uint64_t at = rx_desc_at(dev), buf;
	uint32_t opts1;
	uint8_t d[RTL_DESC_SIZE], le_crc[RX_CRC_LEN];

	if (guest_mem_read(dev->host.mem, at, d, sizeof(d))) {
		dev->stats.rx_bad_addr++;
		return;
	}
	opts1 = rtl8139_le32(d);
	if (!(opts1 & RTL_DESC_OWN)) {
		rtl8139_rx_missed(dev, RTL_INT_RDU);
		return;
	}
	if (len + RX_CRC_LEN > (opts1 & RTL_RXD_LEN)) {
		dev->stats.rx_bad_size++;
		return;
	}
	buf = (uint64_t)rtl8139_le32(d + 12) << 32 | rtl8139_le32(d + 8);
	rtl8139_put_le32(le_crc, rtl8139_fcs(frame, len));
	if (guest_mem_write(dev->host.mem, buf, frame, len) ||
	    guest_mem_write(dev->host.mem, buf + len, le_crc, RX_CRC_LEN)) {
		dev->stats.rx_bad_addr++;
		return;
	}
	/* opts2 (no tag taken out), then opts1 without OWN: the guest may take it from here. */
	memset(d, 0, 8);
	rtl8139_put_le32(d, (opts1 & RTL_DESC_EOR) | RTL_DESC_FS | RTL_DESC_LS | desc_kind(status) |
			    (len + RX_CRC_LEN));
	guest_mem_write(dev->host.mem, at + 4, d + 4, 4);	/* read just now: it is RAM */
	guest_mem_write(dev->host.mem, at, d, 4);
	dev->cp.rx_next = (opts1 & RTL_DESC_EOR) ? 0 : (dev->cp.rx_next + 1) % RTL8139_CP_RING_MAX;
	dev->stats.rx_frames++;
	dev->isr |= RTL_INT_ROK;
}
