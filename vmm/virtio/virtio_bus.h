/* Places virtio-mmio devices in the guest: a window, an IRQ, KVM ioeventfds and irqfds, the cmdline word. */
#ifndef CAPSULE_VIRTIO_BUS_H
#define CAPSULE_VIRTIO_BUS_H

#include "event_loop.h"
#include "virtio/virtio_mmio.h"
#include "vm.h"

#define VIRTIO_BUS_BASE 0xd0000000ull	/* in the 32-bit MMIO hole */
#define VIRTIO_BUS_STRIDE 0x1000ull
#define VIRTIO_BUS_SLOTS 17		/* one per free interrupt line */
#define VIRTIO_BUS_CMDLINE_MAX 1024

struct virtio_bus;

/* One queue's notification path: its ioeventfd, watched by the I/O thread. */
struct virtio_bus_queue {
	struct virtio_mmio_dev *dev;
	unsigned index;
	int fd;
};

struct virtio_bus_slot {
	struct virtio_mmio_dev dev;
	struct virtio_mmio_host host;	/* what to initialize dev's transport with */
	uint64_t base;
	unsigned irq;
	int irqfd;
	struct virtio_bus_queue queues[VIRTIO_MMIO_QUEUES_MAX];
};

struct virtio_bus {
	struct vm *vm;
	struct event_loop *loop;
	struct virtio_bus_slot slots[VIRTIO_BUS_SLOTS];
	unsigned n;
	unsigned irq_end;	/* IRQs from here up are PCI's (virtio_bus_leave_irqs) */
	char cmdline[VIRTIO_BUS_CMDLINE_MAX];	/* "virtio_mmio.device=..." words */
};

void virtio_bus_init(struct virtio_bus *bus, struct vm *vm, struct event_loop *loop);

/* Take no IRQ from FIRST up: the PCI bus hands those out. Before any device is added. */
void virtio_bus_leave_irqs(struct virtio_bus *bus, unsigned first);

/*
 * Add a device of type OPS whose model state is OPAQUE: give it the next
 * window and IRQ, set up its transport, route its queue notifications through
 * ioeventfds into the event loop and its interrupt through an irqfd, and
 * announce it on the kernel command line. Returns the transport (the device
 * model keeps it). Dies on failure (start-up only).
 */
struct virtio_mmio_dev *virtio_bus_add(struct virtio_bus *bus, const struct virtio_device_ops *ops,
				       void *opaque);

/*
 * virtio_bus_add() in two steps, for a device model that initializes the
 * transport itself (virtio-console): reserve hands out the slot with its
 * window, IRQ and slot->host; once slot->dev is initialized, attach wires its
 * queues, registers its window and announces it. Both die on failure.
 */
struct virtio_bus_slot *virtio_bus_reserve(struct virtio_bus *bus);
void virtio_bus_attach(struct virtio_bus *bus, struct virtio_bus_slot *slot);

#endif
