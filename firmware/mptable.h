/* The Intel MultiProcessor Specification 1.4 table: CPUs, buses, I/O APIC and IRQ routing. */
#ifndef FW_MPTABLE_H
#define FW_MPTABLE_H

#include <stdint.h>

#include "boot_info.h"

/* Bound on ncpus: keeps the whole table inside the 1 KiB at BOOT_MPTABLE_ADDR. */
#define MPTABLE_MAX_CPUS BOOT_MAX_CPUS

/* Polarity (bits 0-1) and trigger mode (bits 2-3) of an interrupt source. */
#define MP_IRQ_BUS_DEFAULT 0x0	/* "conforms to the bus": ISA = edge, active high */
#define MP_IRQ_ACTIVE_HIGH 0x1
#define MP_IRQ_ACTIVE_LOW 0x3
#define MP_IRQ_EDGE 0x4
#define MP_IRQ_LEVEL 0xc

/* A bus; interrupt sources name it by id. */
struct mp_bus {
	uint8_t id;
	char type[6] __attribute__((nonstring)); /* space-padded: "ISA   ", "PCI   " */
};

/* An interrupt source wired to an input pin of the (single) I/O APIC. */
struct mp_irq {
	uint8_t bus;		/* mp_bus.id */
	uint8_t bus_irq;	/* ISA: IRQ number; PCI: device << 2 | INTA..INTD as 0..3 */
	uint8_t pin;		/* I/O APIC input */
	uint16_t flags;		/* MP_IRQ_* */
};

/* The machine's buses and interrupt routes: data, so new buses need no code. */
struct mp_layout {
	const struct mp_bus *buses;
	unsigned int nbuses;
	const struct mp_irq *irqs;
	unsigned int nirqs;
};

/*
 * Writes the floating pointer and configuration table at BOOT_MPTABLE_ADDR:
 * CPUs with APIC ids 0..ncpus-1 (0 the BSP), layout's buses, one I/O APIC
 * (id ncpus) at BOOT_IOAPIC_ADDR, layout's interrupt routes, and LINT0 as
 * ExtINT / LINT1 as NMI on every CPU. Returns 0, or -1 when it would not
 * fit in the space reserved for it (nothing is written then).
 */
int mptable_write(unsigned int ncpus, const struct mp_layout *layout);

#endif
