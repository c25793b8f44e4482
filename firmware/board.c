/* The capsule machine's buses and interrupt routing: add rows here, not code in mptable.c. */
#include "board.h"

#define ISA_BUS 0

static const struct mp_bus buses[] = {
	{ ISA_BUS, "ISA   " },
};

/*
 * KVM's default in-kernel routing sends GSI n to I/O APIC pin n (and its
 * PIT raises GSI 0), so ISA IRQs map one to one. IRQ 2 is the 8259 cascade
 * and has no device behind it. Pins 16-23 carry the virtio-mmio devices'
 * interrupts (edge-triggered, active high, like ISA): the monitor signals
 * them through irqfds.
 */
#define ISA_IRQ(n) { ISA_BUS, (n), (n), MP_IRQ_BUS_DEFAULT }

static const struct mp_irq irqs[] = {
	ISA_IRQ(0), ISA_IRQ(1), ISA_IRQ(3), ISA_IRQ(4), ISA_IRQ(5),
	ISA_IRQ(6), ISA_IRQ(7), ISA_IRQ(8), ISA_IRQ(9), ISA_IRQ(10),
	ISA_IRQ(11), ISA_IRQ(12), ISA_IRQ(13), ISA_IRQ(14), ISA_IRQ(15),
	ISA_IRQ(16), ISA_IRQ(17), ISA_IRQ(18), ISA_IRQ(19), ISA_IRQ(20),
	ISA_IRQ(21), ISA_IRQ(22), ISA_IRQ(23),
};

/*
 * Built at run time, not as a static struct: a table of pointers would
 * need load-time relocation, which a ROM linked without a loader cannot have.
 */
void board_mp_layout(struct mp_layout *layout)
{
	layout->buses = buses;
	layout->nbuses = sizeof(buses) / sizeof(buses[0]);
	layout->irqs = irqs;
	layout->nirqs = sizeof(irqs) / sizeof(irqs[0]);
}
