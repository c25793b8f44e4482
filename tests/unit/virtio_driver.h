/* A test-side virtio-mmio driver: register accesses and Linux's probe steps, for transport and device tests. */
#ifndef CAPSULE_TEST_VIRTIO_DRIVER_H
#define CAPSULE_TEST_VIRTIO_DRIVER_H

#include <stdint.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "virtio/virtio_mmio.h"

/* A LEN-byte read of the window at OFF, as a vCPU's MMIO exit would make it. */
static inline uint64_t vdrv_read(struct virtio_mmio_dev *dev, uint64_t off, unsigned len)
{
	uint8_t d[8];
	uint64_t v = 0;

	memset(d, 0xcc, sizeof(d));	/* what the handler leaves alone shows */
	virtio_mmio_io(dev, off, d, len, false);
	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)d[i] << 8 * i;
	return v;
}

static inline void vdrv_write(struct virtio_mmio_dev *dev, uint64_t off, uint64_t v, unsigned len)
{
	uint8_t d[8];

	for (unsigned i = 0; i < len; i++)
		d[i] = (uint8_t)(v >> 8 * i);
	virtio_mmio_io(dev, off, d, len, true);
}

static inline uint32_t vdrv_rd(struct virtio_mmio_dev *dev, uint64_t off)
{
	return (uint32_t)vdrv_read(dev, off, 4);
}

static inline void vdrv_wr(struct virtio_mmio_dev *dev, uint64_t off, uint32_t v)
{
	vdrv_write(dev, off, v, 4);
}

/* A 64-bit register pair, low half first (vm_setup_vq()). */
static inline void vdrv_wr64(struct virtio_mmio_dev *dev, uint64_t low, uint64_t v)
{
	vdrv_wr(dev, low, (uint32_t)v);
	vdrv_wr(dev, low + 4, (uint32_t)(v >> 32));
}

/* Both halves of DEVICE_FEATURES, high first (vm_get_features()). */
static inline uint64_t vdrv_device_features(struct virtio_mmio_dev *dev)
{
	uint64_t f;

	vdrv_wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)vdrv_rd(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	vdrv_wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | vdrv_rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
}

/*
 * register_virtio_device() and virtio_dev_probe() up to FEATURES_OK: reset,
 * ACKNOWLEDGE, DRIVER, write FEATURES as given (unmasked), FEATURES_OK.
 * Returns the status read back (FEATURES_OK in it when accepted).
 */
static inline uint32_t vdrv_negotiate(struct virtio_mmio_dev *dev, uint64_t features)
{
	const uint32_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, s);
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, s | VIRTIO_CONFIG_S_FEATURES_OK);
	return vdrv_rd(dev, VIRTIO_MMIO_STATUS);
}

/*
 * vm_setup_vq(): select Q, see that it is not live yet, size NUM, the three
 * ring addresses, ready. Returns QUEUE_READY read back (1: the device took
 * the layout), or -1 when the queue was live already (Linux's -ENOENT).
 */
static inline int vdrv_setup_queue(struct virtio_mmio_dev *dev, unsigned q, uint32_t num,
				   uint64_t desc, uint64_t avail, uint64_t used)
{
	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_SEL, q);
	if (vdrv_rd(dev, VIRTIO_MMIO_QUEUE_READY))
		return -1;
	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_NUM, num);
	vdrv_wr64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	vdrv_wr64(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	vdrv_wr64(dev, VIRTIO_MMIO_QUEUE_USED_LOW, used);
	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	return (int)vdrv_rd(dev, VIRTIO_MMIO_QUEUE_READY);
}

#endif
