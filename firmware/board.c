/* The capsule machine's buses and interrupt routing: add rows here, not code in mptable.c. */
#include "board.h"

#include "io.h"

#define PCI_SLOTS 32
#define PCI_VENDOR_NONE 0xffff
#define PCI_INTERRUPT_REG 0x3c	/* line in bits 0-7, pin in bits 8-15 */

static const struct mp_bus isa_only[] = {
	{ BOARD_ISA_BUS, "ISA   " },
};

/*
 * KVM's default in-kernel routing sends GSI n to I/O APIC pin n (and its
 * PIT raises GSI 0), so ISA IRQs map one to one. IRQ 2 is the 8259 cascade
 * and has no device behind it. Pins 16-23 carry the virtio-mmio devices'
 * interrupts (edge-triggered, active high, like ISA): the monitor signals
 * them through irqfds; a PCI function's pin takes one of them over.
 */
#define ISA_IRQ(n) { BOARD_ISA_BUS, (n), (n), MP_IRQ_BUS_DEFAULT }

static const struct mp_irq isa_irqs[] = {
	ISA_IRQ(0), ISA_IRQ(1), ISA_IRQ(3), ISA_IRQ(4), ISA_IRQ(5),
	ISA_IRQ(6), ISA_IRQ(7), ISA_IRQ(8), ISA_IRQ(9), ISA_IRQ(10),
	ISA_IRQ(11), ISA_IRQ(12), ISA_IRQ(13), ISA_IRQ(14), ISA_IRQ(15),
	ISA_IRQ(16), ISA_IRQ(17), ISA_IRQ(18), ISA_IRQ(19), ISA_IRQ(20),
	ISA_IRQ(21), ISA_IRQ(22), ISA_IRQ(23),
};

#define NISA (sizeof(isa_irqs) / sizeof(isa_irqs[0]))

uint32_t board_cfg_read(unsigned int slot, unsigned int reg)
{
	outl(0xcf8, 0x80000000u | (slot & 31) << 11 | (reg & 0xfc));
	return inl(0xcfc);
}

/*
 * The PCI routes: source irq is device << 2 | INTA..INTD as 0..3; flags
 * "conform to the bus", which for PCI means level-triggered, active low.
 * Marks the pins taken in *TAKEN. Returns how many were written.
 */
static unsigned int pci_irqs(struct mp_irq *out, board_cfg_read_fn read, uint32_t *taken)
{
	unsigned int n = 0;

	for (unsigned int slot = 1; slot < PCI_SLOTS; slot++) {
		uint32_t r;
		unsigned int line, pin;

		if ((read(slot, 0) & 0xffff) == PCI_VENDOR_NONE)
			continue;
		r = read(slot, PCI_INTERRUPT_REG);
		line = r & 0xff;
		pin = (r >> 8) & 0xff;
		/* Only pins the monitor hands PCI, each once: one source per pin. */
		if (pin < 1 || pin > 4 || line < BOARD_PCI_GSI_MIN || line > BOARD_PCI_GSI_MAX ||
		    (*taken & (1u << line)))
			continue;
		*taken |= 1u << line;
		out[n++] = (struct mp_irq){ BOARD_PCI_BUS, (uint8_t)(slot << 2 | (pin - 1)),
					    (uint8_t)line, MP_IRQ_BUS_DEFAULT };
	}
	return n;
}

/*
 * Built at run time, not as a static struct: a table of pointers would
 * need load-time relocation, which a ROM linked without a loader cannot have.
 */
void board_mp_layout(struct mp_layout *layout, struct board_storage *st, board_cfg_read_fn read)
{
	uint32_t taken = 0;
	unsigned int n;

	layout->buses = isa_only;
	layout->nbuses = 1;
	layout->irqs = isa_irqs;
	layout->nirqs = NISA;
	if ((read(0, 0) & 0xffff) == PCI_VENDOR_NONE)
		return;	/* no PCI bus: nothing more to say, one config read spent */
	/* In ascending ID order, as the MP specification lists buses. */
	st->buses[0] = (struct mp_bus){ BOARD_PCI_BUS, "PCI   " };
	st->buses[1] = (struct mp_bus){ BOARD_ISA_BUS_WITH_PCI, "ISA   " };
	n = pci_irqs(st->irqs, read, &taken);
	for (unsigned int i = 0; i < NISA; i++)
		if (!(taken & (1u << isa_irqs[i].pin))) {
			st->irqs[n] = isa_irqs[i];
			st->irqs[n++].bus = BOARD_ISA_BUS_WITH_PCI;
		}
	layout->buses = st->buses;
	layout->nbuses = 2;
	layout->irqs = st->irqs;
	layout->nirqs = n;
}
