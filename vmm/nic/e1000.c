/* The e1000 register model: reset, register reads and writes, the interrupt line, the BARs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nic/e1000_regs.h"

/*
 * Registers that simply hold what the guest writes: the model reads them when
 * it needs them (rings, filters) or never (flow control, timers, LEDs).
 * Everything else not handled by name reads 0 and ignores writes.
 */
static bool plain_reg(unsigned off)
{
	static const uint16_t plain[] = {
		E1000_CTRL_EXT, E1000_FCAL, E1000_FCAH, E1000_FCT, E1000_VET, E1000_ITR,
		E1000_RCTL, E1000_FCTTV, E1000_TXCW, E1000_TCTL, E1000_TIPG, E1000_LEDCTL,
		E1000_PBA, E1000_FCRTL, E1000_FCRTH, E1000_RDBAL, E1000_RDBAH, E1000_RDLEN,
		E1000_RDTR, E1000_RXDCTL, E1000_RADV, E1000_RSRPD, E1000_TDBAL, E1000_TDBAH,
		E1000_TDLEN, E1000_TIDV, E1000_TXDCTL, E1000_TADV, E1000_RXCSUM, E1000_WUC,
		E1000_WUFC, E1000_MANC,
	};

	if ((off >= E1000_MTA && off < E1000_MTA + 4 * E1000_MTA_WORDS) ||
	    (off >= E1000_RA && off < E1000_RA + 8 * E1000_RA_ENTRIES) ||
	    (off >= E1000_VFTA && off < E1000_VFTA + 4 * 128))
		return true;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (plain[i] == off)
			return true;
	return false;
}

#define ITR_UNIT_NS 256u

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * ITR: the line goes up at most once per interval, so that a busy NIC does
 * not interrupt per frame; what comes sooner waits for the timer. Returns
 * whether the line may go up now.
 */
static bool itr_allows(struct e1000 *dev)
{
	uint64_t interval = (uint64_t)(e1000_reg(dev, E1000_ITR) & 0xffff) * ITR_UNIT_NS;
	uint64_t now;

	if (!interval || !dev->arm_timer)
		return true;
	now = dev->now();
	if (now - dev->last_irq >= interval) {
		dev->last_irq = now;
		return true;
	}
	if (!dev->timer_armed) {
		dev->timer_armed = true;
		dev->arm_timer(dev->hooks_opaque, dev->last_irq + interval);
	}
	return false;
}

void e1000_update_irq(struct e1000 *dev)
{
	bool level = (e1000_reg(dev, E1000_ICR) & e1000_reg(dev, E1000_IMS) & E1000_ICR_CAUSES) != 0;

	if (level == dev->irq_level || (level && !itr_allows(dev)))
		return;
	dev->irq_level = level;
	if (dev->host.set_irq)
		dev->host.set_irq(dev->host.opaque, level);
}

void e1000_timer(struct e1000 *dev)
{
	pthread_mutex_lock(&dev->lock);
	dev->timer_armed = false;
	e1000_update_irq(dev);
	pthread_mutex_unlock(&dev->lock);
}

static void add64(struct e1000 *dev, unsigned lo, uint32_t n)
{
	uint32_t v = e1000_reg(dev, lo);

	e1000_set_reg(dev, lo, v + n);
	if (v + n < v)
		e1000_set_reg(dev, lo + 4, e1000_reg(dev, lo + 4) + 1);
}

/*
 * The counters the driver shows as the interface's packets and bytes; the
 * others (errors, collisions, sizes) stay 0. Saturating, as the hardware's.
 */
void e1000_count(struct e1000 *dev, bool rx, const uint8_t *dst, uint32_t len)
{
	static const unsigned rx_regs[] = { E1000_GPRC, E1000_TPR }, tx_regs[] = { E1000_GPTC, E1000_TPT };
	const unsigned *r = rx ? rx_regs : tx_regs;

	for (int i = 0; i < 2; i++)
		if (e1000_reg(dev, r[i]) != UINT32_MAX)
			e1000_set_reg(dev, r[i], e1000_reg(dev, r[i]) + 1);
	add64(dev, rx ? E1000_GORCL : E1000_GOTCL, len);
	if (rx && (dst[0] & 1)) {
		unsigned m = memcmp(dst, "\xff\xff\xff\xff\xff\xff", 6) ? E1000_MPRC : E1000_BPRC;

		if (e1000_reg(dev, m) != UINT32_MAX)
			e1000_set_reg(dev, m, e1000_reg(dev, m) + 1);
	}
}

void e1000_raise(struct e1000 *dev, uint32_t causes)
{
	e1000_set_reg(dev, E1000_ICR, e1000_reg(dev, E1000_ICR) | (causes & E1000_ICR_CAUSES));
	e1000_update_irq(dev);
}

/* Everything but the MAC and the backend back to power-on values; the line drops. */
static void reset_locked(struct e1000 *dev)
{
	uint8_t *txbuf = dev->tx.buf;

	memset(dev->regs, 0, sizeof(dev->regs));
	memset(&dev->ee, 0, sizeof(dev->ee));
	memset(&dev->ctx, 0, sizeof(dev->ctx));
	memset(&dev->tx, 0, sizeof(dev->tx));
	dev->tx.buf = txbuf;
	dev->rx_pending = 0;
	dev->ioaddr = 0;
	/* Link not yet set up: the driver's SLU brings it up and raises LSC. */
	e1000_set_reg(dev, E1000_CTRL, E1000_CTRL_FD | E1000_CTRL_ASDE | E1000_CTRL_SPD_1000);
	e1000_set_reg(dev, E1000_PBA, 0x00100030);	/* 48 KiB receive, 16 KiB transmit */
	e1000_set_reg(dev, E1000_VET, 0x8100);
	e1000_set_reg(dev, E1000_LEDCTL, 0x07068302);
	/* The hardware loads its station address from the EEPROM. */
	e1000_set_reg(dev, E1000_RA, dev->mac[0] | dev->mac[1] << 8 | dev->mac[2] << 16 |
					 (uint32_t)dev->mac[3] << 24);
	e1000_set_reg(dev, E1000_RA + 4, dev->mac[4] | dev->mac[5] << 8 | E1000_RAH_AV);
	e1000_phy_reset(dev);
	e1000_update_irq(dev);
}

void e1000_reset(struct e1000 *dev)
{
	pthread_mutex_lock(&dev->lock);
	reset_locked(dev);
	pthread_mutex_unlock(&dev->lock);
}

int e1000_init(struct e1000 *dev, const struct nic_host *host, const uint8_t mac[6])
{
	memset(dev, 0, sizeof(*dev));
	dev->host = *host;
	memcpy(dev->mac, mac, 6);
	dev->now = monotonic_ns;
	dev->tx.buf = malloc(NET_FRAME_MAX + 4);
	dev->rxbuf = malloc(NET_FRAME_MAX);
	if (!dev->tx.buf || !dev->rxbuf) {
		e1000_free(dev);
		return -ENOMEM;
	}
	pthread_mutex_init(&dev->lock, NULL);
	e1000_eeprom_fill(dev->eeprom, mac);
	reset_locked(dev);
	/* Frames arrive whole and checksummed: the guest may not have asked for offloads. */
	if (host->be && host->be->ops->set_rx_offloads)
		host->be->ops->set_rx_offloads(host->be, 0);
	return 0;
}

void e1000_free(struct e1000 *dev)
{
	free(dev->tx.buf);
	free(dev->rxbuf);
	dev->tx.buf = dev->rxbuf = NULL;
}

static uint32_t reg_read(struct e1000 *dev, unsigned off)
{
	uint32_t v;

	switch (off) {
	case E1000_STATUS:
		/* The backend is always there: link up, full duplex, gigabit. */
		return E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000;
	case E1000_EECD:
		return e1000_eecd_read(dev);
	case E1000_ICR:
		/* Read to clear: the driver's handler acknowledges every cause at once. */
		v = e1000_reg(dev, E1000_ICR);
		if (v & e1000_reg(dev, E1000_IMS))
			v |= E1000_ICR_INT_ASSERTED;
		e1000_set_reg(dev, E1000_ICR, 0);
		e1000_update_irq(dev);
		return v;
	case E1000_ICS:
		return e1000_reg(dev, E1000_ICR);
	case E1000_IMC:
		return 0;
	case E1000_CTRL: case E1000_EERD: case E1000_MDIC: case E1000_IMS:
	case E1000_RDH: case E1000_RDT: case E1000_TDH: case E1000_TDT:
		return e1000_reg(dev, off);
	default:
		if (off >= E1000_STATS && off < E1000_STATS_END) {
			/* Counters clear on read: the driver adds each reading to its totals. */
			v = e1000_reg(dev, off);
			e1000_set_reg(dev, off, 0);
			return v;
		}
		return plain_reg(off) ? e1000_reg(dev, off) : 0;
	}
}

/* Receive stopped for want of descriptors; the guest may have given some: watch the backend again. */
static void rx_kick(struct e1000 *dev)
{
	if (!dev->rx_stalled)
		return;
	dev->rx_stalled = false;
	if (dev->rx_wake)
		dev->rx_wake(dev->hooks_opaque);
}

/* Index registers keep 16 bits, as the hardware's do. */
static void ring_index_write(struct e1000 *dev, unsigned off, uint32_t val)
{
	e1000_set_reg(dev, off, val & 0xffff);
	if (off == E1000_TDT)
		e1000_tx_run(dev);
	else if (off == E1000_RDT)
		rx_kick(dev);
}

static void ctrl_write(struct e1000 *dev, uint32_t val)
{
	uint32_t old = e1000_reg(dev, E1000_CTRL);

	if (val & E1000_CTRL_RST) {
		reset_locked(dev);
		return;
	}
	if (val & E1000_CTRL_PHY_RST)
		e1000_phy_reset(dev);
	e1000_set_reg(dev, E1000_CTRL, val & ~(E1000_CTRL_RST | E1000_CTRL_PHY_RST));
	/* Set link up: the link comes up at once, and says so. */
	if ((val & E1000_CTRL_SLU) && !(old & E1000_CTRL_SLU))
		e1000_raise(dev, E1000_ICR_LSC);
}

static void reg_write(struct e1000 *dev, unsigned off, uint32_t val)
{
	switch (off) {
	case E1000_CTRL:
		ctrl_write(dev, val);
		break;
	case E1000_EECD:
		e1000_eecd_write(dev, val);
		break;
	case E1000_EERD:
		e1000_set_reg(dev, off, e1000_eerd_write(dev, val));
		break;
	case E1000_MDIC:
		e1000_mdic_write(dev, val);
		break;
	case E1000_ICR:
		/* Writing 1s clears those causes too. */
		e1000_set_reg(dev, off, e1000_reg(dev, off) & ~val);
		e1000_update_irq(dev);
		break;
	case E1000_ICS:
		e1000_raise(dev, val);
		break;
	case E1000_IMS:
		e1000_set_reg(dev, off, (e1000_reg(dev, off) | val) & E1000_ICR_CAUSES);
		e1000_update_irq(dev);
		break;
	case E1000_IMC:
		e1000_set_reg(dev, E1000_IMS, e1000_reg(dev, E1000_IMS) & ~val);
		e1000_update_irq(dev);
		break;
	case E1000_RDH: case E1000_RDT: case E1000_TDH: case E1000_TDT:
		ring_index_write(dev, off, val);
		break;
	case E1000_TCTL:
		e1000_set_reg(dev, off, val);
		e1000_tx_run(dev);
		break;
	case E1000_RCTL:
		/* Turned off, the receiver drops what waits; turned on, it may take it. */
		e1000_set_reg(dev, off, val);
		rx_kick(dev);
		break;
	default:
		if (plain_reg(off))
			e1000_set_reg(dev, off, val);
		break;
	}
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* One register access at OFF under the lock: 32-bit, or narrower reads within one register. */
static void access(struct e1000 *dev, uint64_t off, uint8_t *data, unsigned len, bool is_write)
{
	uint8_t word[4];
	unsigned shift = off & 3;

	if (!is_write)
		memset(data, 0, len);
	if (off >= E1000_REG_SPACE || len > 4 || shift + len > 4)
		return;
	pthread_mutex_lock(&dev->lock);
	if (is_write) {
		/* Drivers write whole registers; a narrower write is ignored. */
		if (len == 4)
			reg_write(dev, (unsigned)off, get_le32(data));
	} else {
		put_le32(word, reg_read(dev, (unsigned)off & ~3u));
		memcpy(data, word + shift, len);
	}
	pthread_mutex_unlock(&dev->lock);
}

void e1000_mmio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	access(opaque, offset, data, len, is_write);
}

/* The I/O BAR: IOADDR selects a register, IODATA reads or writes it. */
void e1000_pio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct e1000 *dev = opaque;
	uint8_t word[4];
	uint32_t ioaddr;

	if (offset >= 4 && offset + len <= 8) {
		pthread_mutex_lock(&dev->lock);
		ioaddr = dev->ioaddr;
		pthread_mutex_unlock(&dev->lock);
		access(dev, ioaddr + (offset - 4), data, len, is_write);
		return;
	}
	if (!is_write)
		memset(data, 0, len);
	if (offset + len > 4)
		return;
	pthread_mutex_lock(&dev->lock);
	if (!is_write) {
		put_le32(word, dev->ioaddr);
		memcpy(data, word + offset, len);
	} else if (len == 4 && offset == 0) {
		dev->ioaddr = get_le32(data) & (E1000_MMIO_SIZE - 4);
	}
	pthread_mutex_unlock(&dev->lock);
}
