/* The rtl8139 unit tests' shared rig: one fake VM and chip, register access, frames to deliver and check. */
#ifndef CAPSULE_RTL8139_REGS_H
#define CAPSULE_RTL8139_REGS_H

#include "rtl8139_guest.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static struct fake_vm vm;
static struct rtl8139 dev;

static inline void setup(void)
{
	struct nic_host host;

	free(vm.ram);
	fake_vm_init(&vm, &host);
	if (rtl8139_init(&dev, &host, mac))
		abort();
}

static inline void teardown(void)
{
	rtl8139_destroy(&dev);
}

static inline uint32_t rd(unsigned off, unsigned len)
{
	uint8_t b[4] = { 0 };

	rtl8139_pio(&dev, off, b, len, false);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void wr(unsigned off, uint32_t val, unsigned len)
{
	uint8_t b[4] = { (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24) };

	rtl8139_pio(&dev, off, b, len, true);
}

static uint8_t frame_buf[2048];

/* A frame to our MAC of LEN bytes, its payload from SEED. */
static inline const uint8_t *make_frame(size_t len, uint8_t seed)
{
	memcpy(frame_buf, mac, 6);
	memcpy(frame_buf + 6, "\x02\0\0\0\0\x01\x08\x00", 8);
	for (size_t i = 14; i < len; i++)
		frame_buf[i] = (uint8_t)(seed + i);
	return frame_buf;
}

static inline void deliver(size_t len, uint8_t seed)
{
	fake_vm_queue_rx(&vm, make_frame(len, seed), len);
	rtl8139_rx_ready(&dev);
}

/* The 4 bytes after LEN bytes at P are their Ethernet FCS (reflected CRC-32, little-endian). */
static inline bool fcs_ok(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320u : 0);
	}
	crc = ~crc;
	return p[len] == (uint8_t)crc && p[len + 1] == (uint8_t)(crc >> 8) &&
	       p[len + 2] == (uint8_t)(crc >> 16) && p[len + 3] == (uint8_t)(crc >> 24);
}

#endif
