/* The capsule machine's buses and interrupt routing, as data for the MP table. */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stdint.h>

#include "mptable.h"

/*
 * MP bus IDs. Linux matches a PCI device's interrupt entry by comparing its
 * PCI bus number with the entry's source bus ID (IO_APIC_get_PCI_irq_vector),
 * so PCI bus 0 must be MP bus 0; ISA is 0 alone, 1 beside PCI.
 */
#define BOARD_ISA_BUS 0
#define BOARD_PCI_BUS 0
#define BOARD_ISA_BUS_WITH_PCI 1
#define BOARD_IRQS_MAX 24	/* one source per I/O APIC pin at most */
#define BOARD_PCI_GSI_MIN 16	/* the pins the monitor gives PCI functions (vmm/pci/pci.h) */
#define BOARD_PCI_GSI_MAX 23

/* Dword REG of bus 0 device SLOT's configuration space; all ones when absent. */
typedef uint32_t (*board_cfg_read_fn)(unsigned int slot, unsigned int reg);

/* Room for a layout built at run time (on the stack: the ROM has no writable data). */
struct board_storage {
	struct mp_bus buses[2];
	struct mp_irq irqs[BOARD_IRQS_MAX];
};

/*
 * Points layout at the machine's buses and IRQ routes. Without a PCI host
 * bridge at 00:00.0 (one config read) that is the fixed ISA table in ROM.
 * With one, ST holds a PCI bus too and one route per function whose
 * Interrupt Pin is set and whose Interrupt Line (written by the monitor) is
 * a PCI pin; that pin's ISA route is left out.
 */
void board_mp_layout(struct mp_layout *layout, struct board_storage *st, board_cfg_read_fn read);

/* READ for the real machine: configuration mechanism #1. */
/* Hidden: its address is taken, and the ROM has no GOT to go through. */
__attribute__((visibility("hidden"))) uint32_t board_cfg_read(unsigned int slot, unsigned int reg);

#endif
