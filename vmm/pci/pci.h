/* A minimal PCI bus: configuration mechanism #1, a host bridge, and generic functions with BARs. */
#ifndef CAPSULE_PCI_H
#define CAPSULE_PCI_H

/*
 * Design (issue 12).
 *
 * Shape. One bus (0), one function per device (function 0 only, header type
 * 0, no capabilities, no MSI), the host bridge at 00:00.0. Configuration
 * mechanism #1: CONFIG_ADDRESS at 0xCF8 (dword accesses only, as on real
 * chipsets: byte/word at 0xCF8-0xCFB are not config cycles) and CONFIG_DATA at
 * 0xCFC-0xCFF (byte, word or dword at any offset that stays inside the four
 * bytes). A data access with the enable bit clear, a bus other than 0, a
 * function other than 0 or an empty slot reads all ones and drops writes.
 *
 * Where BARs go. Two fixed windows, registered once on the io_buses by
 * pci_bus_attach():
 *   memory  PCI_MMIO_BASE..+PCI_MMIO_SIZE = 0xe0000000-0xefffffff, inside
 *           the 32-bit hole (RAM stops at 0xc0000000), above the
 *           virtio-mmio windows (0xd0000000 + 17 x 4 KiB, virtio_bus.h) and
 *           well below the I/O APIC (0xfec00000), the LAPIC (0xfee00000) and
 *           the TSS / identity map / ROM below 4 GiB (vm.c);
 *   I/O     PCI_IO_BASE..+PCI_IO_SIZE = 0xc000-0xffff, clear of the legacy
 *           ports (COM1, i8042, the guest port, 0xCF8) - what SeaBIOS uses.
 * A BAR is decoded when its address lies wholly inside its window and the
 * command register's I/O or memory bit is set. Moving a BAR re-targets the
 * window's lookup at once (under the bus lock): the io_bus itself is filled
 * before the vCPUs start and read without a lock by every vCPU, so BARs are
 * not registered and unregistered on it at run time. A BAR the guest moves
 * outside its window stops decoding (accesses read all ones), as a BAR
 * outside a host bridge's forwarded window would on hardware.
 *
 * Who assigns them: the monitor, in pci_bus_add(), before the kernel starts.
 * It knows every BAR's size at build time of the VM, the firmware would have
 * to rediscover them with ~12 config cycles per function (VM exits) and carry
 * an allocator in ROM; Linux keeps assignments it finds valid, so a booted
 * guest sees the same addresses as the monitor logged. Sizes are powers of
 * two, allocated largest first would be tighter; in order of addition with
 * natural alignment is enough for a handful of NICs (two 128 KiB e1000
 * BARs + 256 B rtl8139 per VM fit many times in 256 MiB / 16 KiB).
 *
 * INTx. Each function with an interrupt pin (INTA) gets its own I/O APIC
 * input (GSI), written into the Interrupt Line register; no sharing, so no
 * swizzling or PIRQ router. Pins are taken from the top of the list
 * virtio_bus.c hands out (23, 22, ...): virtio takes 5,6,7,9-12,14,15,16..
 * upward, so the two together may hold at most 17 devices and the lead must
 * make virtio_bus stop where PCI starts. The line is level-triggered, active
 * low in the MP table; KVM's IOAPIC ignores polarity for KVM_IRQ_LINE (level 1
 * = asserted), as QEMU relies on. pci_func_set_irq() drives it with
 * KVM_IRQ_LINE (vm_set_irq) on every level change of (device level && !INTx
 * disable), from the vCPU thread that cleared ICR/ISR or the I/O thread that
 * received a frame. Chosen over a resample irqfd because the device state
 * that decides the level is in the monitor anyway: KVM_IRQ_LINE is one ioctl
 * per edge of the level, synchronous (the line is low before the guest's
 * register write returns, so the EOI does not re-deliver a stale interrupt),
 * with no extra eventfd pair, no EOI round trip through the I/O thread and no
 * pause/resume special case (vm_hold_irqfds holds edge irqfds only). The
 * seccomp allow-lists of the vCPU and I/O threads must admit ioctl
 * KVM_IRQ_LINE on the VM fd.
 *
 * MP table (firmware/board.c). The firmware adds a "PCI   " bus entry (id
 * 1) and, per function with an interrupt pin, an I/O interrupt entry:
 * source bus 1, source irq (device << 2) | (pin - 1), destination the I/O
 * APIC, pin = the GSI, flags MP_IRQ_BUS_DEFAULT (PCI: level, active low).
 * That pin's ISA row is dropped (one source per pin). It learns the routes
 * from config space itself - the Interrupt Line the monitor wrote is the one
 * source of truth, and boot_info keeps its ABI: one config read of 00:00.0
 * (2 exits) on a VM without PCI, which finds nothing and writes the table
 * as before; with PCI, 2 reads per slot. Space: with 32 CPUs the table uses
 * 916 of its 1024 bytes; the bus entry adds 8 and each PCI entry replaces
 * an ISA one, so it still fits.
 *
 * pci=off (vmm/cmdline.c) is dropped only when at least one PCI device
 * exists: pci_bus_attach() is then called and the kernel finds the host
 * bridge through mechanism #1. Without PCI devices nothing is registered
 * and pci=off stays. Note: the guest kernel (images/kernel.config,
 * CONFIG_PCI=y) prints "PCI: Fatal: No config space access function found"
 * at KERN_ERR whenever no access method exists; pci=off makes it skip the
 * probe (pci_probe = 0) and then print exactly that (arch/x86/pci/init.c,
 * pci_arch_init). Workloads hide it with loglevel=1, interactive boots use
 * only "quiet" (console loglevel 4) and show it, through earlycon (the
 * line comes at arch_initcall, before hvc0 exists). Without pci=off and
 * without a config mechanism the probe fails and prints the same line. So
 * a VM without PCI devices loses it only by (a) always attaching the bus
 * with just the host bridge and dropping pci=off - measured under
 * tests/kvm-host: the line is gone, but the kernel's scan of bus 0 costs
 * 321 exits on 0xCF8-0xCFF per boot (473 with one function), not
 * "nothing"; (b) loglevel=3 on interactive
 * boots - hides every real KERN_ERR too; or (c) a kernel change
 * (CONFIG_PCI=n costs the NICs; a patch costs a kernel rebuild). None is
 * a small, safe change; the choice is the lead's.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "io_bus.h"

#define PCI_CONFIG_PORT 0xcf8	/* CONFIG_ADDRESS, then CONFIG_DATA at 0xcfc */
#define PCI_CONFIG_PORTS 8
#define PCI_MMIO_BASE 0xe0000000u
#define PCI_MMIO_SIZE 0x10000000u
#define PCI_IO_BASE 0xc000u
#define PCI_IO_SIZE 0x4000u

#define PCI_SLOTS 32		/* device numbers on bus 0 */
#define PCI_GSI_TOP 23		/* INTx lines from the I/O APIC's last input down, */
#define PCI_GSI_MIN 16		/* ... to here; virtio-mmio takes the lines below PCI's */
#define PCI_BARS 6
#define PCI_CONFIG_SIZE 256

/* Config header offsets (type 0). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REVISION 0x08
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT 0x8

#define PCI_BAR_IO 0x1		/* bit 0 of an I/O BAR */

/* The host bridge: an i440FX PMC, which Linux's conf1 sanity check accepts. */
#define PCI_HOST_VENDOR 0x8086
#define PCI_HOST_DEVICE 0x1237

/* One BAR a device model exposes: SIZE a power of two (>= 16 for memory, >= 4 for I/O). */
struct pci_bar_desc {
	uint32_t size;		/* 0: no BAR in this slot */
	bool io;		/* I/O space; otherwise 32-bit non-prefetchable memory */
	io_handler_fn fn;	/* offsets are relative to the BAR's base */
	void *opaque;
};

/* What identifies a function and what it decodes. */
struct pci_func_desc {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys;
	uint32_t class_code;	/* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	bool intx;		/* uses INTA */
	struct pci_bar_desc bars[PCI_BARS];
};

struct pci_bus;

struct pci_func {
	struct pci_bus *bus;
	bool present;
	unsigned slot;
	uint8_t cfg[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];	/* guest-writable bits */
	struct pci_bar_desc bars[PCI_BARS];
	unsigned gsi;			/* I/O APIC input, when it has a pin */
	bool level;			/* the device's INTx request */
	bool line;			/* what was last sent to set_irq */
};

struct pci_bus {
	pthread_mutex_t lock;	/* config cycles (vCPUs) vs. BAR lookups vs. set_irq (I/O thread) */
	uint32_t address;	/* CONFIG_ADDRESS */
	struct pci_func funcs[PCI_SLOTS];
	unsigned nfuncs;	/* slots used, from 0 (the host bridge) */
	uint32_t next_mmio, next_io;	/* bump allocators inside the windows */
	unsigned next_gsi;		/* next I/O APIC input handed out (downward) */
	unsigned min_gsi;		/* lowest one PCI may take */
	/* Drive I/O APIC input GSI: KVM_IRQ_LINE in the monitor, a recorder in tests. */
	void (*set_irq)(void *opaque, unsigned gsi, bool level);
	void *irq_opaque;
};

/* The bus with the host bridge at slot 0; nothing is registered yet. */
void pci_bus_init(struct pci_bus *bus, void (*set_irq)(void *opaque, unsigned gsi, bool level),
		  void *irq_opaque);

/*
 * Add a function at the next slot: BARs assigned inside the windows
 * (naturally aligned), decoding enabled for the kinds of BARs it has, and
 * an I/O APIC input in its Interrupt Line when it uses INTx. Returns it, or
 * NULL when slots, window space or interrupt lines run out, or a BAR size is
 * invalid.
 */
struct pci_func *pci_bus_add(struct pci_bus *bus, const struct pci_func_desc *desc);

/* Claim 0xCF8-0xCFF on PIO and the two BAR windows. 0 or -errno (io_bus_register). */
int pci_bus_attach(struct pci_bus *bus, struct io_bus *pio, struct io_bus *mmio);

/* The device's INTx request; the line follows it unless the guest set INTx disable. */
void pci_func_set_irq(struct pci_func *f, bool level);

/* The handlers pci_bus_attach registers (exposed for tests and fuzzing). */
void pci_config_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);
void pci_mmio_window(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);
void pci_io_window(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

#endif
