/* What the rtl8139 model's files share; the device lock is held in each of these. */
#ifndef CAPSULE_RTL8139_IMPL_H
#define CAPSULE_RTL8139_IMPL_H

#include "nic/rtl8139.h"

/* The interrupt line follows (ISR & IMR) != 0. */
void rtl8139_update_irq(struct rtl8139 *dev);

/* A write to TSD[slot]: sends the slot's frame when the guest gave it to the chip. */
void rtl8139_tsd_write(struct rtl8139 *dev, unsigned slot, uint32_t val);

/* The receive ring: its length, whether it is empty, a reset of its pointers. */
uint32_t rtl8139_rx_ring_len(const struct rtl8139 *dev);
bool rtl8139_rx_empty(const struct rtl8139 *dev);
void rtl8139_rx_reset(struct rtl8139 *dev);
/* After a register write or reset: receive stalled for room may go on now (rx_wake). */
void rtl8139_rx_check_wake(struct rtl8139 *dev);
/* After the guest acknowledges ISR: ROK again while frames wait behind a stalled receiver. */
void rtl8139_rx_keep_ok(struct rtl8139 *dev);
/* Offer one frame (LEN bytes at FRAME, no net_hdr) to the ring and its filters. */
void rtl8139_rx_frame(struct rtl8139 *dev, const uint8_t *frame, uint32_t len);

/* The Ethernet FCS of LEN bytes at P. */
uint32_t rtl8139_fcs(const uint8_t *p, uint32_t len);
/* A frame lost for want of room: counted in MPC, CAUSE set in ISR. */
void rtl8139_rx_missed(struct rtl8139 *dev, uint16_t cause);

/* C+ mode (rtl8139_cp_*.c). Descriptor INDEX of the ring at LO, HI. */
uint64_t rtl8139_cp_ring_addr(uint32_t lo, uint32_t hi, unsigned index);
/* TPPoll's NPQ: send what the transmit ring holds. */
void rtl8139_cp_tx_poll(struct rtl8139 *dev);
/* The transmit ring starts over at its first descriptor; a frame under way is lost. */
void rtl8139_cp_tx_reset(struct rtl8139 *dev);
/* The chip's reset: C mode again, every C+ register 0. */
void rtl8139_cp_reset(struct rtl8139 *dev);
/* A TSD write in C+ mode (false: C mode, send the slot); DTCCR's command bit dumps the counters. */
bool rtl8139_cp_write_tsd(struct rtl8139 *dev, unsigned slot, uint32_t val);
/* The C+ registers' aligned dwords (0xd8 but Config5, 0xe0-0xef); false when BASE holds none. */
bool rtl8139_cp_read(const struct rtl8139 *dev, unsigned base, uint32_t *val);
bool rtl8139_cp_write(struct rtl8139 *dev, unsigned base, uint32_t val, uint32_t mask);
/* The receive ring: whether its next descriptor is free, a frame (with its filter STATUS) into it. */
bool rtl8139_cp_rx_room(const struct rtl8139 *dev);
void rtl8139_cp_rx_frame(struct rtl8139 *dev, const uint8_t *frame, uint32_t len, uint16_t status);

/* A register's bytes MASK selects from VAL, the rest from OLD. */
static inline uint32_t rtl8139_merge(uint32_t old, uint32_t val, uint32_t mask)
{
	return (old & ~mask) | (val & mask);
}

static inline uint32_t rtl8139_le32(const uint8_t *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void rtl8139_put_le32(uint8_t *b, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> 8 * i);
}

/* The 93C46: contents at power-on, a write of 9346CR's pin bits, DO's level. */
void rtl8139_eeprom_init(struct rtl8139_eeprom *ee, const uint8_t mac[6]);
void rtl8139_eeprom_pins(struct rtl8139_eeprom *ee, uint8_t pins);
void rtl8139_eeprom_release(struct rtl8139_eeprom *ee);

#endif
