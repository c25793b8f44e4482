/*
 * The RTL8139C+'s C+ mode registers: CPCR turns the descriptor rings on; the
 * rings' addresses, TPPoll, the counters dump (DTCCR over TSD0-1), and the
 * registers 8139cp sets and reads back (IntrMitigate, RMS, ETTHR).
 */
#include "nic/rtl8139_impl.h"

#define DTCCR_BYTES 64	/* the tally counters block */

static bool cplus(const struct rtl8139 *dev)
{
	return dev->cp.cpcr & (RTL_CPCR_RXON | RTL_CPCR_TXON);
}

/* The counters 8139cp's ethtool statistics read: sent and received frames, the rest 0. */
static void dump_counters(struct rtl8139 *dev)
{
	uint8_t block[DTCCR_BYTES] = { 0 };
	uint64_t at = (uint64_t)dev->tsd[1] << 32 | (dev->tsd[0] & RTL_DTCCR_ADDR_MASK);

	rtl8139_put_le32(block, (uint32_t)dev->stats.tx_frames);
	rtl8139_put_le32(block + 4, (uint32_t)(dev->stats.tx_frames >> 32));
	rtl8139_put_le32(block + 8, (uint32_t)dev->stats.rx_frames);
	rtl8139_put_le32(block + 12, (uint32_t)(dev->stats.rx_frames >> 32));
	if (guest_mem_write(dev->host.mem, at, block, sizeof(block)))
		dev->stats.rx_bad_addr++;	/* nowhere to put them: the dump ends all the same */
	dev->tsd[0] &= ~(uint32_t)RTL_DTCCR_CMD;
}

void rtl8139_cp_reset(struct rtl8139 *dev)
{
	struct rtl8139_cplus *cp = &dev->cp;

	cp->cpcr = cp->intrmit = cp->rms = 0;
	cp->etthr = 0;
	cp->rdsar[0] = cp->rdsar[1] = 0;
	rtl8139_cp_tx_reset(dev);	/* (rtl8139_rx_reset puts the receive ring back) */
}

/* TSD0-3 in C+ mode: nothing to send; TSD0-1 are DTCCR, storage but for the dump command. */
bool rtl8139_cp_write_tsd(struct rtl8139 *dev, unsigned slot, uint32_t val)
{
	if (!cplus(dev))
		return false;
	dev->tsd[slot] = val;
	if (slot == 0 && (val & RTL_DTCCR_CMD))
		dump_counters(dev);
	return true;
}

/* The C+ registers' aligned dword at BASE, or false when BASE holds none. */
bool rtl8139_cp_read(const struct rtl8139 *dev, unsigned base, uint32_t *val)
{
	const struct rtl8139_cplus *cp = &dev->cp;

	switch (base) {
	case 0xd8: *val = dev->config5 | (uint32_t)cp->rms << 16; return true;	/* TPPoll reads 0 */
	case 0xe0: *val = cp->cpcr | (uint32_t)cp->intrmit << 16; return true;
	case 0xe4: case 0xe8: *val = cp->rdsar[(base - 0xe4) / 4]; return true;
	case 0xec: *val = cp->etthr; return true;
	default: return false;
	}
}

/* The C+ registers' bytes MASK selects of the aligned dword at BASE; false when BASE holds none. */
bool rtl8139_cp_write(struct rtl8139 *dev, unsigned base, uint32_t val, uint32_t mask)
{
	struct rtl8139_cplus *cp = &dev->cp;

	switch (base) {
	case 0xd8:	/* Config5 is the caller's */
		cp->rms = (uint16_t)(rtl8139_merge((uint32_t)cp->rms << 16, val, mask) >> 16);
		if ((mask & 0xff00) && (val & (uint32_t)RTL_TPPOLL_NPQ << 8))
			rtl8139_cp_tx_poll(dev);
		return true;
	case 0xe0:
		cp->cpcr = (uint16_t)rtl8139_merge(cp->cpcr, val, mask & 0xffff);
		cp->intrmit = (uint16_t)(rtl8139_merge((uint32_t)cp->intrmit << 16, val, mask) >> 16);
		return true;
	case 0xe4: case 0xe8:
		cp->rdsar[(base - 0xe4) / 4] = rtl8139_merge(cp->rdsar[(base - 0xe4) / 4], val, mask);
		cp->rx_next = 0;
		return true;
	case 0xec:
		if (mask & 0xff)
			cp->etthr = (uint8_t)val;
		return true;
	default:
		return false;
	}
}
