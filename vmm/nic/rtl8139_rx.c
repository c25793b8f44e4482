/* The RTL8139's receive: frames from the backend into the guest's ring buffer at RBSTART. */
#include <errno.h>
#include <string.h>

#include "nic/rtl8139_impl.h"

/*
 * The ring is 8, 16, 32 or 64 KiB (RCR.RBLEN). The chip writes at CBR, the
 * guest has read up to CAPR + 16 (8139too writes CAPR = read pointer - 16).
 * Each frame: a 4-byte header (status, length with the CRC), the frame, its
 * CRC, and padding to 4 bytes. With RCR.WRAP (and a ring under 64 KiB) a
 * frame runs on past the ring's end, into the slack the guest allocated;
 * without it, the frame wraps to the start. The writer never catches up with
 * the reader: that would look like an empty ring.
 */
#define RX_HDR_LEN 4u
#define RX_CRC_LEN 4u
#define RX_CAPR_BIAS 16u
/* What a frame of LEN bytes takes in the ring: header, frame, CRC, padded to 4 bytes. */
#define RX_FRAME_SPACE(len) ((RX_HDR_LEN + (len) + RX_CRC_LEN + 3) & ~3u)

uint32_t rtl8139_rx_ring_len(const struct rtl8139 *dev)
{
	return 8192u << ((dev->rcr >> RTL_RCR_RBLEN_SHIFT) & 3);
}

static uint32_t rx_read_ptr(const struct rtl8139 *dev)
{
	return (uint32_t)(dev->capr + RX_CAPR_BIAS) % rtl8139_rx_ring_len(dev);
}

bool rtl8139_rx_empty(const struct rtl8139 *dev)
{
	return rx_read_ptr(dev) == dev->cbr % rtl8139_rx_ring_len(dev);
}

void rtl8139_rx_reset(struct rtl8139 *dev)
{
	dev->cbr = 0;
	dev->capr = (uint16_t)(0u - RX_CAPR_BIAS);
	dev->cp.rx_next = 0;
}

/* The Ethernet FCS (CRC-32, reflected), a nibble at a time: a constant table, nothing to set up. */
uint32_t rtl8139_fcs(const uint8_t *p, uint32_t len)
{
	static const uint32_t nibble[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t crc = ~0u;

	while (len--) {
		crc = nibble[(crc ^ *p) & 0xf] ^ (crc >> 4);
		crc = nibble[(crc ^ (*p++ >> 4)) & 0xf] ^ (crc >> 4);
	}
	return ~crc;
}

/* The multicast hash: the top 6 bits of the big-endian CRC-32 of the address, as 8139too computes it. */
static unsigned mcast_bit(const uint8_t *addr)
{
	uint32_t crc = ~0u;

	for (unsigned i = 0; i < 6; i++)
		for (unsigned b = 0; b < 8; b++) {
			bool in = (addr[i] >> b) & 1;

			crc = (crc << 1) ^ (((crc >> 31) ^ in) ? 0x04c11db7u : 0);
		}
	return crc >> 26;
}

/* RCR's accept bits against the destination: the header's status bits, or 0 to drop. */
static uint16_t rx_filter(const struct rtl8139 *dev, const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint16_t status = RTL_RX_ROK;

	if (!memcmp(dst, bcast, 6)) {
		if (!(dev->rcr & (RTL_RCR_AB | RTL_RCR_AAP)))
			return 0;
		return status | RTL_RX_BAR;
	}
	if (dst[0] & 1) {
		unsigned bit = mcast_bit(dst);

		if (dev->rcr & RTL_RCR_AAP)
			return status | RTL_RX_MAR;
		if (!(dev->rcr & RTL_RCR_AM) || !(dev->mar[bit >> 3] & (1u << (bit & 7))))
			return 0;
		return status | RTL_RX_MAR;
	}
	if (!memcmp(dst, dev->idr, 6) && (dev->rcr & (RTL_RCR_APM | RTL_RCR_AAP)))
		return status | RTL_RX_PAM;
	return (dev->rcr & RTL_RCR_AAP) ? status : 0;
}

/*
 * LEN bytes at ring offset OFF (which may lie past the ring's end): with WRAP
 * they run on into the slack, without it they wrap to the start.
 */
static int ring_write(struct rtl8139 *dev, uint32_t off, const void *src, uint32_t len)
{
	uint32_t ring = rtl8139_rx_ring_len(dev), first = len;
	bool run_on = (dev->rcr & RTL_RCR_WRAP) && ring < 65536;

	if (!run_on) {
		off %= ring;
		if (off + len > ring)
			first = ring - off;
	}
	if (guest_mem_write(dev->host.mem, (uint64_t)dev->rbstart + off, src, first))
		return -EFAULT;
	if (first == len)
		return 0;
	return guest_mem_write(dev->host.mem, dev->rbstart, (const uint8_t *)src + first, len - first);
}

void rtl8139_rx_missed(struct rtl8139 *dev, uint16_t cause)
{
	dev->stats.rx_ring_full++;
	dev->mpc = (dev->mpc + 1) & 0xffffff;	/* 24 bits */
	dev->isr |= cause;
}

static bool cplus_rx(const struct rtl8139 *dev)
{
	return dev->cp.cpcr & RTL_CPCR_RXON;
}

void rtl8139_rx_frame(struct rtl8139 *dev, const uint8_t *frame, uint32_t len)
{
	uint32_t ring = rtl8139_rx_ring_len(dev), wr = dev->cbr % ring;
	uint32_t used = (wr + ring - rx_read_ptr(dev)) % ring, need, crc;
	uint8_t hdr[RX_HDR_LEN], le_crc[RX_CRC_LEN];
	uint16_t status;

	if (!(dev->cr & RTL_CR_RE))
		return;
	status = rx_filter(dev, frame);
	if (!status) {
		dev->stats.rx_filtered++;
		return;
	}
	if (cplus_rx(dev))
		return rtl8139_cp_rx_frame(dev, frame, len, status);
	need = RX_FRAME_SPACE(len);
	if (need >= ring - used)
		return rtl8139_rx_missed(dev, RTL_INT_RXOVW);
	crc = rtl8139_fcs(frame, len);
	rtl8139_put_le32(le_crc, crc);
	hdr[0] = (uint8_t)status;
	hdr[1] = (uint8_t)(status >> 8);
	hdr[2] = (uint8_t)(len + RX_CRC_LEN);
	hdr[3] = (uint8_t)((len + RX_CRC_LEN) >> 8);
	if (ring_write(dev, wr + RX_HDR_LEN, frame, len) ||
	    ring_write(dev, wr + RX_HDR_LEN + len, le_crc, RX_CRC_LEN) ||
	    ring_write(dev, wr, hdr, RX_HDR_LEN)) {
		dev->stats.rx_bad_addr++;	/* RBSTART outside RAM: the frame is lost */
		return;
	}
	dev->cbr = (uint16_t)((wr + need) % ring);
	dev->stats.rx_frames++;
	dev->isr |= RTL_INT_ROK;
}

/*
 * Whether the largest frame would fit now (C+ mode: a descriptor is free); a
 * receiver that is off takes (and drops) anything.
 */
static bool rx_room(const struct rtl8139 *dev)
{
	uint32_t ring = rtl8139_rx_ring_len(dev), wr = dev->cbr % ring;
	uint32_t used = (wr + ring - rx_read_ptr(dev)) % ring;

	if (!(dev->cr & RTL_CR_RE))
		return true;
	if (cplus_rx(dev))
		return rtl8139_cp_rx_room(dev);
	return RX_FRAME_SPACE(RTL8139_RX_MAX) < ring - used;
}

void rtl8139_rx_check_wake(struct rtl8139 *dev)
{
	if (!dev->rx_stalled || !rx_room(dev))
		return;
	dev->rx_stalled = false;
	if (dev->rx_wake)
		dev->rx_wake(dev->hooks_opaque);
}

/*
 * While the receiver waits for room no new frame raises ROK, yet 8139too
 * polls the ring only while ROK (or an overflow) is pending: a poll that ends
 * on its budget with frames left and ROK acknowledged, having freed too little
 * to wake the receiver, would leave them there for good, and the receiver
 * waiting on them. So while stalled with frames unread, ROK stays set, as the
 * frames still arriving keep setting it on the real chip.
 */
void rtl8139_rx_keep_ok(struct rtl8139 *dev)
{
	if (dev->rx_stalled && !cplus_rx(dev) && !rtl8139_rx_empty(dev))
		dev->isr |= RTL_INT_ROK;
}

/* With a wake hook, stop taking frames while the ring is short of room (device lock held). */
static bool rx_stall(struct rtl8139 *dev)
{
	if (!dev->rx_wake || rx_room(dev))
		return false;
	dev->rx_stalled = true;
	return true;
}

bool rtl8139_rx_ready(struct rtl8139 *dev)
{
	struct net_backend *be = dev->host.be;
	struct iovec iov = { dev->rxbuf, sizeof(dev->rxbuf) };

	for (unsigned n = 0; n < RTL8139_RX_BUDGET; n++) {
		ssize_t got;
		uint32_t len;
		bool stalled;

		pthread_mutex_lock(&dev->lock);
		stalled = rx_stall(dev);
		pthread_mutex_unlock(&dev->lock);
		if (stalled)
			return false;
		/* Only the I/O thread touches rxbuf: read the tap without the lock. */
		got = be->ops->recv(be, 0, &iov, 1);
		if (got < 0 && got != -EAGAIN && got != -EINTR) {
			/* Failed for good (passt gone: EOF stays readable): not watched again. */
			dev->stats.rx_errors++;
			return false;
		}
		if (got < 0)
			return true;
		if ((size_t)got > sizeof(dev->rxbuf) - 1 || (size_t)got < NET_HDR_LEN + 14) {
			dev->stats.rx_bad_size++;	/* cut short, or too short to be Ethernet */
			continue;
		}
		len = (uint32_t)got - NET_HDR_LEN;
		if (len < RTL8139_RX_MIN) {	/* padded as on the wire */
			memset(dev->rxbuf + NET_HDR_LEN + len, 0, RTL8139_RX_MIN - len);
			len = RTL8139_RX_MIN;
		}
		pthread_mutex_lock(&dev->lock);
		rtl8139_rx_frame(dev, dev->rxbuf + NET_HDR_LEN, len);
		rtl8139_update_irq(dev);
		pthread_mutex_unlock(&dev->lock);
	}
	return true;
}
