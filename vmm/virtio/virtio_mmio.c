/* The virtio-mmio transport (version 2): registers, status and feature negotiation, queue setup. */
#include "virtio/virtio_mmio.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define VIRTIO_MMIO_NO_LEGACY
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "log.h"

/* What the shared virtqueue gives every device. */
#define TRANSPORT_FEATURES                                                        \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) |    \
	 (1ull << VIRTIO_RING_F_EVENT_IDX))

int virtio_mmio_init(struct virtio_mmio_dev *dev, const struct virtio_device_ops *ops, void *opaque,
		     const struct guest_mem *mem, const struct virtio_mmio_host *host)
{
	unsigned i;
	int r;

	if (ops->num_queues == 0 || ops->num_queues > VIRTIO_MMIO_QUEUES_MAX ||
	    ops->config_size > VIRTIO_MMIO_CONFIG_MAX || (ops->config_size && !ops->config_read) ||
	    !ops->activate || !ops->reset || !ops->queue_notify || !host->raise_irq)
		return -EINVAL;
	for (i = 0; i < ops->num_queues; i++) {
		uint16_t max = ops->queue_max[i];

		if (max == 0 || (max & (max - 1)))
			return -EINVAL;
	}
	memset(dev, 0, sizeof(*dev));
	r = pthread_mutex_init(&dev->lock, NULL);
	if (r)
		return -r;
	dev->ops = ops;
	dev->host = *host;
	dev->mem = mem;
	dev->opaque = opaque;
	dev->offered = ops->features | TRANSPORT_FEATURES;
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio_dev *dev)
{
	pthread_mutex_destroy(&dev->lock);
}

void virtio_mmio_lock(struct virtio_mmio_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
}

void virtio_mmio_unlock(struct virtio_mmio_dev *dev)
{
	pthread_mutex_unlock(&dev->lock);
}

bool virtio_mmio_has_feature(const struct virtio_mmio_dev *dev, unsigned bit)
{
	return bit < 64 && (dev->features & (1ull << bit));
}

static void interrupt(struct virtio_mmio_dev *dev, uint32_t bit)
{
	__atomic_fetch_or(&dev->isr, bit, __ATOMIC_SEQ_CST);
	/* Every time, not only on 0 -> 1: a pulse the guest missed must not wedge the device. */
	dev->host.raise_irq(dev->host.opaque);
}

void virtio_mmio_signal_used(struct virtio_mmio_dev *dev, unsigned queue)
{
	if (queue < dev->ops->num_queues && virtqueue_should_notify(&dev->vqs[queue]))
		interrupt(dev, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_needs_reset(struct virtio_mmio_dev *dev)
{
	if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	log_debug("%s: device needs reset", dev->ops->name);
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	interrupt(dev, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_defer(struct virtio_mmio_dev *dev, unsigned queue)
{
	if (queue >= dev->ops->num_queues)
		return;
	if (dev->host.kick)
		dev->host.kick(dev->host.opaque, queue);
	else
		dev->deferred |= 1u << queue;
}

int virtio_mmio_serve(struct virtio_mmio_dev *dev, unsigned queue, struct virtqueue_elem *elem,
		      bool (*serve)(void *ctx, const struct virtqueue_elem *elem), void *ctx)
{
	struct virtqueue *vq = &dev->vqs[queue];
	unsigned budget = VIRTIO_MMIO_TURN_BUDGET;
	int served = 0, r;

	/* Rounds count too: a driver can make enable_notify() see chains pop() does not. */
	do {
		virtqueue_disable_notify(vq);
		while (budget && (r = virtqueue_pop(vq, elem)) > 0) {
			served++;
			budget--;
			if (!serve(ctx, elem))
				return served;
		}
		if (budget && r < 0)
			return r;
		if (!budget || !--budget) {
			/* Notifications stay off: the deferred turn looks at the ring anyway. */
			virtio_mmio_defer(dev, queue);
			return served;
		}
	} while (virtqueue_enable_notify(vq));
	return served;
}

void virtio_mmio_config_changed(struct virtio_mmio_dev *dev)
{
	dev->config_generation++;
	interrupt(dev, VIRTIO_MMIO_INT_CONFIG);
}

/* Lock held. */
static void deliver_notify(struct virtio_mmio_dev *dev, unsigned queue)
{
	if (queue < dev->ops->num_queues)
		dev->deferred &= ~(1u << queue);
	if (queue < dev->ops->num_queues && dev->activated &&
	    !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET) && virtqueue_ready(&dev->vqs[queue]))
		dev->ops->queue_notify(dev, queue);
}

void virtio_mmio_queue_notify(struct virtio_mmio_dev *dev, unsigned queue)
{
	pthread_mutex_lock(&dev->lock);
	deliver_notify(dev, queue);
	pthread_mutex_unlock(&dev->lock);
}

static void device_reset(struct virtio_mmio_dev *dev)
{
	unsigned i;

	/* Inactive first: reset() may let go of the lock while its workers drain. */
	dev->activated = false;
	dev->status = 0;
	dev->ops->reset(dev);
	for (i = 0; i < VIRTIO_MMIO_QUEUES_MAX; i++)
		virtqueue_reset(&dev->vqs[i]);
	memset(dev->qregs, 0, sizeof(dev->qregs));
	dev->deferred = 0;
	dev->features = 0;
	dev->status = 0;
	dev->device_features_sel = dev->driver_features_sel = dev->queue_sel = 0;
	dev->activated = false;
	__atomic_store_n(&dev->isr, 0, __ATOMIC_SEQ_CST);
}

/* A status the driver may hold: each step needs the one before it (3.1.1). */
static bool status_consistent(uint32_t s)
{
	if ((s & VIRTIO_CONFIG_S_DRIVER) && !(s & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		return false;
	if ((s & VIRTIO_CONFIG_S_FEATURES_OK) && !(s & VIRTIO_CONFIG_S_DRIVER))
		return false;
	return !(s & VIRTIO_CONFIG_S_DRIVER_OK) || (s & VIRTIO_CONFIG_S_FEATURES_OK);
}

static void activate(struct virtio_mmio_dev *dev)
{
	int r;

	if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	r = dev->ops->activate(dev);
	if (r) {
		log_debug("%s: activation failed: %s", dev->ops->name, strerror(-r));
		virtio_mmio_needs_reset(dev);
		return;
	}
	dev->activated = true;
}

static void status_write(struct virtio_mmio_dev *dev, uint32_t v)
{
	uint32_t keep = dev->status & VIRTIO_CONFIG_S_NEEDS_RESET;
	uint32_t old = dev->status & ~VIRTIO_CONFIG_S_NEEDS_RESET, added;

	if (v == 0) {
		device_reset(dev);
		return;
	}
	v &= 0xff & ~VIRTIO_CONFIG_S_NEEDS_RESET;	/* the device's bit, not the driver's */
	added = v & ~old;
	if (old & ~v)
		return;		/* only a reset clears bits */
	/* FEATURES_OK only sticks for an acceptable set: read back, it tells the driver. */
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) && !(dev->features & (1ull << VIRTIO_F_VERSION_1)))
		v &= ~(VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	if (!status_consistent(v)) {
		log_debug("%s: status %#x -> %#x out of order, ignored", dev->ops->name, old, v);
		return;
	}
	dev->status = v | keep;
	if (added & v & VIRTIO_CONFIG_S_DRIVER_OK)
		activate(dev);
}

static void driver_features_write(struct virtio_mmio_dev *dev, uint32_t v)
{
	unsigned shift;
	uint64_t mask;

	if (dev->status & VIRTIO_CONFIG_S_FEATURES_OK || dev->driver_features_sel > 1)
		return;
	shift = 32 * dev->driver_features_sel;
	mask = 0xffffffffull << shift;
	/* Bits the device did not offer are dropped. */
	dev->features = (dev->features & ~mask) | (((uint64_t)v << shift) & dev->offered);
}

static void queue_ready_write(struct virtio_mmio_dev *dev, uint32_t v)
{
	unsigned q = dev->queue_sel;
	int r = -EINVAL;

	/* Not after DRIVER_OK: VIRTIO_F_RING_RESET is not offered. */
	if (q >= dev->ops->num_queues || (dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	if (!v) {
		virtqueue_reset(&dev->vqs[q]);
		return;
	}
	if (virtqueue_ready(&dev->vqs[q]))
		return;
	/* The ring features are known only once FEATURES_OK is set. */
	if ((dev->status & VIRTIO_CONFIG_S_FEATURES_OK) && dev->qregs[q].num <= dev->ops->queue_max[q])
		r = virtqueue_setup(&dev->vqs[q], dev->mem, dev->qregs[q].num, dev->qregs[q].desc,
				    dev->qregs[q].avail, dev->qregs[q].used, dev->features);
	if (r) {
		log_debug("%s: queue %u: unusable layout (%s)", dev->ops->name, q, strerror(-r));
		virtio_mmio_needs_reset(dev);
	}
}

/* QUEUE_NUM and the ring addresses of the selected queue, while it is not live. */
static void queue_reg_write(struct virtio_mmio_dev *dev, uint64_t off, uint32_t v)
{
	unsigned q = dev->queue_sel;
	uint64_t *reg;

	if (q >= dev->ops->num_queues || virtqueue_ready(&dev->vqs[q]) ||
	    (dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		dev->qregs[q].num = v;
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		reg = &dev->qregs[q].desc;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		reg = &dev->qregs[q].avail;
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		reg = &dev->qregs[q].used;
		break;
	default:
		return;		/* read-only or reserved */
	}
	/* Each HIGH register sits 4 bytes after its LOW one. */
	if (off & 4)
		*reg = (*reg & 0xffffffffull) | (uint64_t)v << 32;
	else
		*reg = (*reg & ~0xffffffffull) | v;
}

static void reg_write(struct virtio_mmio_dev *dev, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		driver_features_write(dev, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		queue_ready_write(dev, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* The value is the queue index (VIRTIO_F_NOTIFICATION_DATA is not offered). */
		if (v >= dev->ops->num_queues)
			break;
		if (dev->host.kick)
			dev->host.kick(dev->host.opaque, v);
		else
			deliver_notify(dev, v);
		break;
	case VIRTIO_MMIO_STATUS:
		status_write(dev, v);
		break;
	default:
		queue_reg_write(dev, off, v);
		break;
	}
}

static uint32_t half(uint64_t v, uint32_t sel)
{
	return sel == 0 ? (uint32_t)v : sel == 1 ? (uint32_t)(v >> 32) : 0;
}

static uint32_t reg_read(struct virtio_mmio_dev *dev, uint64_t off)
{
	unsigned q = dev->queue_sel;
	bool have_q = q < dev->ops->num_queues;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return half(dev->offered, dev->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return have_q ? dev->ops->queue_max[q] : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return have_q && virtqueue_ready(&dev->vqs[q]);
	case VIRTIO_MMIO_STATUS:
		return dev->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return dev->config_generation;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffff;	/* no shared memory region: length -1 (4.2.2) */
	default:
		return 0;		/* write-only or reserved */
	}
}

static void config_access(struct virtio_mmio_dev *dev, uint64_t off, uint8_t *data, unsigned len,
			  bool is_write)
{
	const struct virtio_device_ops *ops = dev->ops;

	if (!is_write)
		memset(data, 0, len);
	if (off >= ops->config_size || len > ops->config_size - off)
		return;		/* beyond the config space: reads as 0, writes dropped */
	pthread_mutex_lock(&dev->lock);
	if (!is_write)
		ops->config_read(dev, (uint32_t)off, data, len);
	else if (ops->config_write)
		ops->config_write(dev, (uint32_t)off, data, len);
	pthread_mutex_unlock(&dev->lock);
}

void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct virtio_mmio_dev *dev = opaque;
	uint32_t v = 0;

	if (offset >= VIRTIO_MMIO_CONFIG) {
		config_access(dev, offset - VIRTIO_MMIO_CONFIG, data, len, is_write);
		return;
	}
	/* Registers are 32 bits wide and aligned (4.2.2.2): anything else reads 0, writes nothing. */
	if (len != 4 || offset % 4) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (is_write)
		v = data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24;
	/* The interrupt handler's registers: atomics, never behind a busy device. */
	if (offset == VIRTIO_MMIO_INTERRUPT_STATUS && !is_write)
		v = __atomic_load_n(&dev->isr, __ATOMIC_SEQ_CST);
	else if (offset == VIRTIO_MMIO_INTERRUPT_ACK && is_write)
		__atomic_fetch_and(&dev->isr, ~v, __ATOMIC_SEQ_CST);
	else if (is_write) {
		pthread_mutex_lock(&dev->lock);
		reg_write(dev, offset, v);
		pthread_mutex_unlock(&dev->lock);
	} else {
		pthread_mutex_lock(&dev->lock);
		v = reg_read(dev, offset);
		pthread_mutex_unlock(&dev->lock);
	}
	if (!is_write)
		for (unsigned i = 0; i < 4; i++)
			data[i] = (uint8_t)(v >> 8 * i);
}

int virtio_mmio_cmdline(char *buf, size_t size, uint64_t base, unsigned irq)
{
	int n;

	/* Linux parses SIZE@BASE:IRQ with memparse() and "@%lli:%u": hex works for both. */
	if (irq == 0)
		return -EINVAL;
	n = snprintf(buf, size, "virtio_mmio.device=%#x@0x%" PRIx64 ":%u", VIRTIO_MMIO_SIZE, base, irq);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}
