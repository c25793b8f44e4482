/* Places virtio-mmio devices in the guest: a window, an IRQ, KVM ioeventfds and irqfds, the cmdline word. */
#include "virtio/virtio_bus.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"

#define VIRTIO_MMIO_QUEUE_NOTIFY 0x50

/*
 * Interrupt lines for devices: ISA lines no legacy device of ours uses (0 PIT,
 * 1 i8042, 2 cascade, 3/4 serial, 8 RTC and 13 FPU are left alone), then the
 * I/O APIC's pins 16-23. The firmware's MP table routes them all (edge, high).
 */
static const unsigned irqs[VIRTIO_BUS_SLOTS] = {
	5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
};

void virtio_bus_init(struct virtio_bus *bus, struct vm *vm, struct event_loop *loop)
{
	memset(bus, 0, sizeof(*bus));
	bus->vm = vm;
	bus->loop = loop;
	bus->irq_end = irqs[VIRTIO_BUS_SLOTS - 1] + 1;
}

void virtio_bus_leave_irqs(struct virtio_bus *bus, unsigned first)
{
	bus->irq_end = first;
}

static void raise_irq(void *opaque)
{
	struct virtio_bus_slot *slot = opaque;
	uint64_t one = 1;

	if (write(slot->irqfd, &one, sizeof(one)) < 0)
		log_error("irqfd of IRQ %u: %s", slot->irq, strerror(errno));
}

/* A notify write that reached the register: pass it to the I/O thread like KVM would. */
static void kick(void *opaque, unsigned queue)
{
	struct virtio_bus_slot *slot = opaque;
	uint64_t one = 1;

	if (queue < VIRTIO_MMIO_QUEUES_MAX && slot->queues[queue].fd >= 0 &&
	    write(slot->queues[queue].fd, &one, sizeof(one)) < 0)
		log_error("queue notify eventfd: %s", strerror(errno));
}

static void on_notify(void *opaque, uint32_t events)
{
	struct virtio_bus_queue *q = opaque;
	uint64_t n;

	(void)events;
	if (read(q->fd, &n, sizeof(n)) == sizeof(n))
		virtio_mmio_queue_notify(q->dev, q->index);
}

static void wire_queues(struct virtio_bus *bus, struct virtio_bus_slot *slot, unsigned nqueues)
{
	for (unsigned i = 0; i < VIRTIO_MMIO_QUEUES_MAX; i++)
		slot->queues[i].fd = -1;
	for (unsigned i = 0; i < nqueues; i++) {
		struct virtio_bus_queue *q = &slot->queues[i];

		q->dev = &slot->dev;
		q->index = i;
		q->fd = vm_ioeventfd(bus->vm, slot->base + VIRTIO_MMIO_QUEUE_NOTIFY, i);
		if (event_loop_add(bus->loop, q->fd, EPOLLIN, on_notify, q) < 0)
			die("event loop full");
	}
}

struct virtio_bus_slot *virtio_bus_reserve(struct virtio_bus *bus)
{
	struct virtio_bus_slot *slot;

	if (bus->n == VIRTIO_BUS_SLOTS || irqs[bus->n] >= bus->irq_end)
		die_status(EXIT_CAPSULE_USAGE, "too many devices: %u virtio devices and %u PCI NICs "
			   "are all the interrupt lines there are", bus->n,
			   irqs[VIRTIO_BUS_SLOTS - 1] + 1 - bus->irq_end);
	slot = &bus->slots[bus->n++];
	slot->base = VIRTIO_BUS_BASE + (bus->n - 1) * VIRTIO_BUS_STRIDE;
	slot->irq = irqs[bus->n - 1];
	slot->irqfd = vm_irqfd(bus->vm, slot->irq);
	slot->host = (struct virtio_mmio_host){ raise_irq, kick, slot };
	return slot;
}

void virtio_bus_attach(struct virtio_bus *bus, struct virtio_bus_slot *slot)
{
	const char *name = slot->dev.ops->name;
	size_t used = strlen(bus->cmdline);

	wire_queues(bus, slot, slot->dev.ops->num_queues);
	if (io_bus_register(&bus->vm->mmio, slot->base, VIRTIO_MMIO_SIZE, virtio_mmio_io, &slot->dev) < 0)
		die("%s: MMIO window at %#llx taken", name, (unsigned long long)slot->base);
	if (used)
		bus->cmdline[used++] = ' ';
	if (virtio_mmio_cmdline(bus->cmdline + used, sizeof(bus->cmdline) - used, slot->base,
				slot->irq) < 0)
		die("%s: kernel command line full", name);
}

struct virtio_mmio_dev *virtio_bus_add(struct virtio_bus *bus, const struct virtio_device_ops *ops,
				       void *opaque)
{
	struct virtio_bus_slot *slot = virtio_bus_reserve(bus);
	int ret = virtio_mmio_init(&slot->dev, ops, opaque, &bus->vm->mem, &slot->host);

	if (ret < 0)
		die("%s: virtio transport: %s", ops->name, strerror(-ret));
	virtio_bus_attach(bus, slot);
	return &slot->dev;
}
