/* The virtio-mmio transport (version 2): registers, status and feature negotiation, queue setup. */
#ifndef CAPSULE_VIRTIO_MMIO_H
#define CAPSULE_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtio/virtqueue.h"

/* Each device's register window; announced with this size on the command line. */
#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MMIO_CONFIG_MAX (VIRTIO_MMIO_SIZE - 0x100)
#define VIRTIO_MMIO_QUEUES_MAX 17	/* a NIC with 8 queue pairs and its control queue */
#define VIRTIO_MMIO_MAGIC 0x74726976		/* "virt" */
#define VIRTIO_MMIO_VENDOR 0x53504143		/* "CAPS" */

struct virtio_mmio_dev;

/*
 * What a device model tells the transport, one const table per device type.
 * Every callback runs with the device lock held and must not take it again.
 */
struct virtio_device_ops {
	const char *name;		/* "virtio-blk", for messages */
	uint32_t device_id;		/* VIRTIO_ID_* from <linux/virtio_ids.h> */
	/*
	 * Device-type feature bits offered. The transport adds VIRTIO_F_VERSION_1,
	 * VIRTIO_RING_F_INDIRECT_DESC and VIRTIO_RING_F_EVENT_IDX to every device.
	 */
	uint64_t features;
	unsigned num_queues;		/* 1..VIRTIO_MMIO_QUEUES_MAX */
	uint16_t queue_max[VIRTIO_MMIO_QUEUES_MAX];	/* each one's largest size, a power of two */
	uint32_t config_size;		/* bytes of config space, <= VIRTIO_MMIO_CONFIG_MAX */
	/*
	 * Config space accesses, already checked to lie in [0, config_size); LEN
	 * is 1, 2, 4 or 8, DATA little-endian. vCPU thread. config_write may be
	 * NULL (read-only config space: writes are dropped).
	 */
	void (*config_read)(struct virtio_mmio_dev *dev, uint32_t offset, uint8_t *data, unsigned len);
	void (*config_write)(struct virtio_mmio_dev *dev, uint32_t offset, const uint8_t *data,
			     unsigned len);
	/*
	 * The driver set DRIVER_OK: dev->features is final and the queues it set
	 * up are ready (virtqueue_ready()). Returns 0, or -errno to refuse (a
	 * queue the device needs is missing...): the device then reports
	 * NEEDS_RESET. vCPU thread.
	 */
	int (*activate)(struct virtio_mmio_dev *dev);
	/*
	 * The driver reset the device (status 0), whether activated or not.
	 * Drop in-flight work (wait for or cancel backend I/O still writing into
	 * guest RAM) and return to the initial state. The transport has already
	 * stopped delivering notifications, so reset may let go of the lock
	 * while workers that complete under it drain (the driver touches no
	 * other register meanwhile); once it returns the transport resets the
	 * queues, which must not be touched again. vCPU thread.
	 */
	void (*reset)(struct virtio_mmio_dev *dev);
	/*
	 * The driver notified QUEUE, which is ready, on an activated device:
	 * pop, process, push, virtio_mmio_signal_used(). I/O thread (see kick).
	 * The lock is held throughout, so vCPU accesses to this device's
	 * registers (not the interrupt ones) wait: hand slow backend work off and
	 * complete it later under virtio_mmio_lock().
	 */
	void (*queue_notify)(struct virtio_mmio_dev *dev, unsigned queue);
};

/* What the monitor gives the transport: how to interrupt the guest and reach the I/O thread. */
struct virtio_mmio_host {
	/*
	 * Pulse the device's interrupt line: write its irqfd. Called from any
	 * thread, with the device lock held; must not block.
	 */
	void (*raise_irq)(void *opaque);
	/*
	 * A QUEUE_NOTIFY write reached the register (no ioeventfd claimed it):
	 * hand it to the I/O thread, normally by writing the queue's ioeventfd,
	 * whose handler calls virtio_mmio_queue_notify(). NULL: run the device's
	 * queue_notify on the calling thread (unit tests).
	 */
	void (*kick)(void *opaque, unsigned queue);
	void *opaque;
};

/*
 * One virtio-mmio device. Devices read ops, opaque, mem, features and vqs;
 * the rest is the transport's. Everything except isr is guarded by lock.
 */
struct virtio_mmio_dev {
	pthread_mutex_t lock;
	const struct virtio_device_ops *ops;
	struct virtio_mmio_host host;
	const struct guest_mem *mem;
	void *opaque;			/* the device model's state */
	uint64_t offered;		/* ops->features plus the transport's bits */
	uint64_t features;		/* what the driver accepted: a subset of offered */
	uint32_t status;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint32_t config_generation;
	bool activated;			/* activate() succeeded since the last reset */
	uint32_t deferred;		/* queues virtio_mmio_defer() left for later (no kick) */
	struct {
		uint32_t num;
		uint64_t desc, avail, used;
	} qregs[VIRTIO_MMIO_QUEUES_MAX];	/* as written, applied at QUEUE_READY */
	struct virtqueue vqs[VIRTIO_MMIO_QUEUES_MAX];
	uint32_t isr;			/* interrupt status: atomics, no lock */
};

/*
 * Set DEV up for OPS with the device model's OPAQUE. Returns 0, -EINVAL for
 * an inconsistent ops table, or -errno from pthread_mutex_init. Start-up.
 */
int virtio_mmio_init(struct virtio_mmio_dev *dev, const struct virtio_device_ops *ops, void *opaque,
		     const struct guest_mem *mem, const struct virtio_mmio_host *host);

void virtio_mmio_destroy(struct virtio_mmio_dev *dev);

/*
 * The register window, an io_handler_fn: register DEV at BASE for
 * VIRTIO_MMIO_SIZE bytes on the MMIO bus. vCPU threads; takes the lock
 * (interrupt status and acknowledge do not).
 */
void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

/*
 * Deliver a notification of QUEUE: call the device's queue_notify when the
 * device is activated, not in NEEDS_RESET and the queue is ready; ignore it
 * otherwise. Takes the lock. I/O thread: the handler of the queue's ioeventfd.
 */
void virtio_mmio_queue_notify(struct virtio_mmio_dev *dev, unsigned queue);

/* For device code outside the callbacks (backend completions, host input, config changes). */
void virtio_mmio_lock(struct virtio_mmio_dev *dev);
void virtio_mmio_unlock(struct virtio_mmio_dev *dev);

/* Whether the driver accepted feature BIT. Lock held. */
bool virtio_mmio_has_feature(const struct virtio_mmio_dev *dev, unsigned bit);

/*
 * After pushing to QUEUE: interrupt the guest (used-buffer bit, then
 * raise_irq) unless the driver suppressed it. Lock held.
 */
void virtio_mmio_signal_used(struct virtio_mmio_dev *dev, unsigned queue);

/*
 * A device that stopped serving QUEUE at its per-turn budget with chains left
 * asks to be called again (queue_notify) once the I/O thread has served
 * whatever else is ready: through the host's kick, i.e. the queue's
 * ioeventfd. Without a kick (unit tests) the queue's bit is set in
 * dev->deferred instead. Lock held.
 */
void virtio_mmio_defer(struct virtio_mmio_dev *dev, unsigned queue);

/* Chains one queue serves per turn of the I/O thread before it defers the rest. */
#define VIRTIO_MMIO_TURN_BUDGET 64

/*
 * The usual way to serve a notified queue: with notifications off, pop
 * chains into ELEM and hand each to SERVE (which must give it back, now or
 * later), until the ring is empty (notifications are then on again and the
 * ring looked at once more) or VIRTIO_MMIO_TURN_BUDGET chains went (the
 * rest is deferred). SERVE returns false to stop at once: the device waits
 * for something of its own (a full backend) and holds ELEM's chain;
 * notifications stay off until it serves the queue again. Returns how many
 * chains went to SERVE, or the virtqueue_pop() error of a malformed chain:
 * the caller reports it and calls virtio_mmio_needs_reset(). Lock held.
 */
int virtio_mmio_serve(struct virtio_mmio_dev *dev, unsigned queue, struct virtqueue_elem *elem,
		      bool (*serve)(void *ctx, const struct virtqueue_elem *elem), void *ctx);

/*
 * The device side found an error it cannot go on from (a malformed chain,
 * virtqueue_pop() < 0): set NEEDS_RESET, stop delivering notifications until
 * the driver resets the device, and send a config-change interrupt. Lock held.
 */
void virtio_mmio_needs_reset(struct virtio_mmio_dev *dev);

/* The device changed its config space: new generation, config-change interrupt. Lock held. */
void virtio_mmio_config_changed(struct virtio_mmio_dev *dev);

/*
 * Write the kernel command-line word announcing a device at BASE with IRQ,
 * "virtio_mmio.device=0x200@0xd0000000:5", into BUF. Returns its length, or
 * -EINVAL (IRQ 0, which Linux refuses) / -ENOSPC (BUF too small).
 */
int virtio_mmio_cmdline(char *buf, size_t size, uint64_t base, unsigned irq);

#endif
