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

/* The 93C46: contents at power-on, a write of 9346CR's pin bits, DO's level. */
void rtl8139_eeprom_init(struct rtl8139_eeprom *ee, const uint8_t mac[6]);
void rtl8139_eeprom_pins(struct rtl8139_eeprom *ee, uint8_t pins);
void rtl8139_eeprom_release(struct rtl8139_eeprom *ee);

#endif
