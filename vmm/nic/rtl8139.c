/* The RTL8139C's registers: the same 256 bytes behind the I/O and the memory BAR. */
#include <errno.h>
#include <string.h>

#include "nic/rtl8139_impl.h"

/* The PHY: autonegotiation done, 100 Mb/s full duplex, link up. */
#define BMCR_RESET_VAL	0x3100	/* autoneg on, 100 Mb/s, full duplex */
#define BMCR_SELF_CLEAR	0x8200	/* reset, restart autoneg: done at once */
#define BMSR_VAL	0x782d	/* 10/100 half/full, autoneg complete, link up */
#define ANAR_RESET_VAL	0x01e1
#define ANLPAR_VAL	0x45e1	/* the partner: 10/100 half/full, acknowledged */
#define ANER_VAL	0x0001
#define CONFIG1_RO	0x0c	/* IOMAP and MEMMAP: both BARs decode */
#define TCR_WRITABLE	(~RTL8139_TCR_HWVER_MASK & ~1u)	/* bit 0 (clear abort) is write-only */

void rtl8139_update_irq(struct rtl8139 *dev)
{
	bool level = (dev->isr & dev->imr) != 0;

	if (level != dev->irq_level) {
		dev->irq_level = level;
		dev->host.set_irq(dev->host.opaque, level);
	}
}

/* CR.RST: the chip's own reset. The MAC, MAR and configuration stay. */
static void soft_reset(struct rtl8139 *dev)
{
	dev->cr = 0;
	dev->imr = 0;
	dev->isr = 0;
	for (unsigned i = 0; i < RTL8139_TX_SLOTS; i++)
		dev->tsd[i] = RTL_TSD_OWN;
	dev->rcr = 0;
	dev->tcr = 0;
	dev->mpc = 0;
	rtl8139_cp_reset(dev);
	rtl8139_rx_reset(dev);
	rtl8139_update_irq(dev);
}

static void reload_from_eeprom(struct rtl8139 *dev)
{
	for (unsigned i = 0; i < 3; i++) {
		dev->idr[2 * i] = (uint8_t)dev->ee.words[7 + i];
		dev->idr[2 * i + 1] = (uint8_t)(dev->ee.words[7 + i] >> 8);
	}
}

static void power_on(struct rtl8139 *dev)
{
	rtl8139_eeprom_init(&dev->ee, dev->mac);
	reload_from_eeprom(dev);
	memset(dev->mar, 0, sizeof(dev->mar));
	memset(dev->tsad, 0, sizeof(dev->tsad));
	dev->rbstart = 0;
	dev->mulint = 0;
	dev->cfg9346 = 0;
	dev->config1 = CONFIG1_RO;
	dev->config3 = dev->config4 = dev->config5 = 0;
	dev->bmcr = BMCR_RESET_VAL;
	dev->anar = ANAR_RESET_VAL;
	soft_reset(dev);
}

int rtl8139_init(struct rtl8139 *dev, const struct nic_host *host, const uint8_t mac[6])
{
	int err;

	memset(dev, 0, sizeof(*dev));
	dev->host = *host;
	memcpy(dev->mac, mac, sizeof(dev->mac));
	/* The chip knows no offloads: every received frame must be whole, its checksums done. */
	err = host->be->ops->set_rx_offloads(host->be, 0);
	if (err)
		return err;
	err = -pthread_mutex_init(&dev->lock, NULL);
	if (err)
		return err;
	power_on(dev);
	return 0;
}

void rtl8139_reset(struct rtl8139 *dev)
{
	pthread_mutex_lock(&dev->lock);
	power_on(dev);
	rtl8139_rx_check_wake(dev);
	pthread_mutex_unlock(&dev->lock);
}

void rtl8139_destroy(struct rtl8139 *dev)
{
	pthread_mutex_destroy(&dev->lock);
}

static uint8_t read_9346cr(const struct rtl8139 *dev)
{
	uint8_t v = dev->cfg9346 & RTL_EEM_MASK;

	if (v == RTL_EEM_PROGRAM)
		v |= dev->ee.pins | (dev->ee.dout ? RTL_EE_DO : 0);
	return v;
}

/* TSAD (0x60): every slot's OWN, TABT, TUN and TOK gathered in one word. */
static uint16_t tx_summary(const struct rtl8139 *dev)
{
	uint16_t v = 0;

	for (unsigned i = 0; i < RTL8139_TX_SLOTS; i++) {
		uint32_t t = dev->tsd[i];

		v |= (uint16_t)(((t & RTL_TSD_OWN) ? 1u << i : 0) | ((t & RTL_TSD_TABT) ? 0x10u << i : 0) |
				((t & RTL_TSD_TUN) ? 0x100u << i : 0) | ((t & RTL_TSD_TOK) ? 0x1000u << i : 0));
	}
	return v;
}

/* The aligned dword at BASE as the guest reads it; registers not modelled read 0. */
static uint32_t read_dword(const struct rtl8139 *dev, unsigned base)
{
	uint8_t cr;
	uint32_t v;

	switch (base) {
	case 0x00: return rtl8139_le32(dev->idr);
	case 0x04: return dev->idr[4] | dev->idr[5] << 8;
	case 0x08: return rtl8139_le32(dev->mar);
	case 0x0c: return rtl8139_le32(dev->mar + 4);
	case 0x10: case 0x14: case 0x18: case 0x1c: return dev->tsd[(base - 0x10) / 4];
	case 0x20: case 0x24: case 0x28: case 0x2c: return dev->tsad[(base - 0x20) / 4];
	case 0x30: return dev->rbstart;
	case 0x34:
		cr = (dev->cr & (RTL_CR_RE | RTL_CR_TE)) | (rtl8139_rx_empty(dev) ? RTL_CR_BUFE : 0);
		return (uint32_t)cr << 24;
	case 0x38: return dev->capr | (uint32_t)dev->cbr << 16;
	case 0x3c: return dev->imr | (uint32_t)dev->isr << 16;
	case 0x40: return dev->tcr | RTL8139_TCR_HWVER;
	case 0x44: return dev->rcr;
	case 0x4c: return dev->mpc;
	case 0x50: return read_9346cr(dev) | (uint32_t)dev->config1 << 16;
	case 0x58: return (uint32_t)dev->config3 << 8 | (uint32_t)dev->config4 << 16;
	case 0x5c: return dev->mulint | (uint32_t)RTL8139_REVISION << 16;
	case 0x60: return tx_summary(dev) | (uint32_t)dev->bmcr << 16;
	case 0x64: return BMSR_VAL | (uint32_t)dev->anar << 16;
	case 0x68: return ANLPAR_VAL | (uint32_t)ANER_VAL << 16;
	default: return rtl8139_cp_read(dev, base, &v) ? v : 0;
	}
}

static void write_cr(struct rtl8139 *dev, uint8_t val)
{
	if (val & RTL_CR_RST) {
		soft_reset(dev);	/* done at once: RST reads back 0 */
		return;
	}
	/* Enabling the receiver starts the ring over (8139too's rx error path relies on it). */
	if ((val & RTL_CR_RE) && !(dev->cr & RTL_CR_RE))
		rtl8139_rx_reset(dev);
	/* The transmitter on or off: C+ mode's ring starts over. */
	if ((val ^ dev->cr) & RTL_CR_TE)
		rtl8139_cp_tx_reset(dev);
	dev->cr = val & (RTL_CR_RE | RTL_CR_TE);
}

static void write_9346cr(struct rtl8139 *dev, uint8_t val)
{
	uint8_t mode = val & RTL_EEM_MASK;

	if (mode == RTL_EEM_AUTOLOAD) {	/* reload from the EEPROM, then normal mode again */
		reload_from_eeprom(dev);
		mode = 0;
	}
	if (mode == RTL_EEM_PROGRAM)
		rtl8139_eeprom_pins(&dev->ee, val);
	else
		rtl8139_eeprom_release(&dev->ee);
	dev->cfg9346 = mode;
}

static bool config_unlocked(const struct rtl8139 *dev)
{
	return dev->cfg9346 == RTL_EEM_CONFIG;
}

/* BMCR (0x62, unlocked only) and ANAR (0x66): the high halves of their dwords. */
static void write_phy_dword(struct rtl8139 *dev, unsigned base, uint32_t val, uint32_t mask)
{
	uint16_t *reg = base == 0x60 ? &dev->bmcr : &dev->anar;
	uint16_t v;

	if (!(mask >> 16))
		return;
	v = (uint16_t)(rtl8139_merge((uint32_t)*reg << 16, val, mask) >> 16);
	if (base == 0x64)
		dev->anar = v;
	else if (config_unlocked(dev))
		dev->bmcr = v & (uint16_t)~BMCR_SELF_CLEAR;
}

/* Config registers change only while 9346CR unlocks them (mode 11). */
static void write_config_dword(struct rtl8139 *dev, unsigned base, uint32_t val, uint32_t mask)
{
	if (base == 0x50) {
		if (mask & 0xff)
			write_9346cr(dev, (uint8_t)val);
		if ((mask & 0xff0000) && config_unlocked(dev))
			dev->config1 = (uint8_t)((val >> 16) & ~CONFIG1_RO) | CONFIG1_RO;
		return;
	}
	if (!config_unlocked(dev))
		return;
	if (base == 0x58) {
		if (mask & 0xff00)
			dev->config3 = (uint8_t)(val >> 8);
		if (mask & 0xff0000)
			dev->config4 = (uint8_t)(val >> 16);
	} else if (base == 0xd8 && (mask & 0xff)) {
		dev->config5 = (uint8_t)val;
	}
}

static void write_bytes(uint8_t *reg, unsigned n, uint32_t val, uint32_t mask)
{
	for (unsigned i = 0; i < n; i++)
		if (mask & 0xffu << 8 * i)
			reg[i] = (uint8_t)(val >> 8 * i);
}

/* The guest writes the bytes MASK selects of the aligned dword at BASE. */
static void write_dword(struct rtl8139 *dev, unsigned base, uint32_t val, uint32_t mask)
{
	unsigned slot = (base >> 2) & 3;

	switch (base) {
	case 0x00: write_bytes(dev->idr, 4, val, mask); break;
	case 0x04: write_bytes(dev->idr + 4, 2, val, mask); break;
	case 0x08: write_bytes(dev->mar, 4, val, mask); break;
	case 0x0c: write_bytes(dev->mar + 4, 4, val, mask); break;
	case 0x10: case 0x14: case 0x18: case 0x1c:
		val = rtl8139_merge(dev->tsd[slot], val, mask);
		if (!rtl8139_cp_write_tsd(dev, slot, val))
			rtl8139_tsd_write(dev, slot, val);
		break;
	case 0x20: case 0x24: case 0x28: case 0x2c:
		dev->tsad[slot] = rtl8139_merge(dev->tsad[slot], val, mask);
		if (slot < 2)	/* C+ mode's TNPDS: the ring starts over */
			rtl8139_cp_tx_reset(dev);
		break;
	case 0x30: dev->rbstart = rtl8139_merge(dev->rbstart, val, mask); break;
	case 0x34:
		if (mask & 0xff000000)
			write_cr(dev, (uint8_t)(val >> 24));
		break;
	case 0x38: dev->capr = (uint16_t)rtl8139_merge(dev->capr, val, mask & 0xffff); break;
	case 0x3c:
		dev->imr = (uint16_t)rtl8139_merge(dev->imr, val, mask & 0xffff);
		dev->isr &= (uint16_t)~((val & mask) >> 16);	/* write 1 to clear */
		rtl8139_rx_keep_ok(dev);
		break;
	case 0x40: dev->tcr = rtl8139_merge(dev->tcr, val, mask) & TCR_WRITABLE; break;
	case 0x44: dev->rcr = rtl8139_merge(dev->rcr, val, mask); break;
	case 0x4c: dev->mpc = 0; break;	/* any write clears the missed-frame count */
	case 0x50: case 0x58: write_config_dword(dev, base, val, mask); break;
	case 0x5c: dev->mulint = (uint16_t)rtl8139_merge(dev->mulint, val, mask & 0xffff) & 0x0fff; break;
	case 0x60: case 0x64: write_phy_dword(dev, base, val, mask); break;
	case 0xd8:	/* Config5, then TPPoll and RMS */
		write_config_dword(dev, base, val, mask);
		rtl8139_cp_write(dev, base, val, mask);
		break;
	default: rtl8139_cp_write(dev, base, val, mask); break;
	}
	rtl8139_update_irq(dev);
	rtl8139_rx_check_wake(dev);
}

/* Any width at any offset: split into the aligned dwords it touches. */
static void access(struct rtl8139 *dev, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	if (offset >= RTL8139_REGS_SIZE || len > RTL8139_REGS_SIZE - offset) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&dev->lock);
	for (unsigned i = 0; i < len;) {
		unsigned off = (unsigned)offset + i, base = off & ~3u, n = 4 - (off & 3);
		uint32_t val = 0, mask = 0;

		if (n > len - i)
			n = len - i;
		if (is_write) {
			for (unsigned b = 0; b < n; b++) {
				val |= (uint32_t)data[i + b] << 8 * (off - base + b);
				mask |= 0xffu << 8 * (off - base + b);
			}
			write_dword(dev, base, val, mask);
		} else {
			val = read_dword(dev, base);
			for (unsigned b = 0; b < n; b++)
				data[i + b] = (uint8_t)(val >> 8 * (off - base + b));
		}
		i += n;
	}
	pthread_mutex_unlock(&dev->lock);
}

void rtl8139_pio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	access(opaque, offset, data, len, is_write);
}

void rtl8139_mmio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	access(opaque, offset, data, len, is_write);
}
