/* Unit tests of the PCI bus: every access goes through the io_buses as a vCPU's would. */
#include <errno.h>

#include "check.h"
#include "io_bus.h"
#include "pci/pci.h"

static struct io_bus pio, mmio;
static struct pci_bus bus;

/* A BAR handler that records its last access and reads back a tag. */
struct bar_rec {
	uint64_t offset;
	unsigned len, calls;
	bool is_write;
	uint8_t tag;
};

static void bar_fn(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct bar_rec *r = opaque;

	r->offset = offset;
	r->len = len;
	r->is_write = is_write;
	r->calls++;
	if (!is_write)
		memset(data, r->tag, len);
}

static char irq_log[256];

static void set_irq(void *opaque, unsigned gsi, bool level)
{
	check_log(irq_log, sizeof(irq_log), "%u=%d ", gsi, level);
}

static struct bar_rec mem_rec = { .tag = 0x5a }, io_rec = { .tag = 0xa5 };

/* A NIC-like function: a 128 KiB memory BAR 0 and a 64-byte I/O BAR 1. */
static struct pci_func *setup(void)
{
	struct pci_func_desc d = {
		.vendor = 0x8086, .device = 0x100e, .subsys_vendor = 0x8086, .subsys = 0x001e,
		.class_code = 0x020000, .revision = 3, .intx = true,
		.bars = { { 0x20000, false, bar_fn, &mem_rec }, { 64, true, bar_fn, &io_rec } },
	};

	io_bus_init(&pio, "pio");
	io_bus_init(&mmio, "mmio");
	irq_log[0] = 0;
	memset(&mem_rec, 0, offsetof(struct bar_rec, tag));
	memset(&io_rec, 0, offsetof(struct bar_rec, tag));
	pci_bus_init(&bus, set_irq, NULL);
	CHECK(pci_bus_attach(&bus, &pio, &mmio) == 0);
	return pci_bus_add(&bus, &d);
}

static uint32_t pio_in(uint16_t port, unsigned len)
{
	uint8_t d[4] = { 0 };

	io_bus_dispatch(&pio, port, d, len, false);
	return d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
}

static void pio_out(uint16_t port, unsigned len, uint32_t v)
{
	uint8_t d[4] = { v, v >> 8, v >> 16, v >> 24 };

	io_bus_dispatch(&pio, port, d, len, true);
}

static uint32_t mmio_read32(uint64_t addr)
{
	uint8_t d[4];

	io_bus_dispatch(&mmio, addr, d, 4, false);
	return d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
}

static uint32_t addr_of(unsigned slot, unsigned reg)
{
	return 0x80000000u | slot << 11 | (reg & 0xfc);
}

/* A config read of LEN bytes at REG of SLOT, as Linux's conf1 does it. */
static uint32_t cfg_read(unsigned slot, unsigned reg, unsigned len)
{
	pio_out(0xcf8, 4, addr_of(slot, reg));
	return pio_in(0xcfc + (reg & 3), len);
}

static void cfg_write(unsigned slot, unsigned reg, unsigned len, uint32_t v)
{
	pio_out(0xcf8, 4, addr_of(slot, reg));
	pio_out(0xcfc + (reg & 3), len, v);
}

static void host_bridge(void)
{
	setup();
	CHECK(cfg_read(0, PCI_VENDOR_ID, 4) == (PCI_HOST_DEVICE << 16 | PCI_HOST_VENDOR));
	CHECK(cfg_read(0, PCI_CLASS_REVISION, 4) >> 8 == 0x060000);
	CHECK(cfg_read(0, PCI_HEADER_TYPE, 1) == 0);
	/* Linux's pci_check_type1: the address register reads back what was written. */
	pio_out(0xcf8, 4, 0x80000000);
	CHECK(pio_in(0xcf8, 4) == 0x80000000);
}

static void identity_and_sizes(void)
{
	struct pci_func *f = setup();

	CHECK(f && f->slot == 1);
	CHECK(cfg_read(1, PCI_VENDOR_ID, 2) == 0x8086);
	CHECK(cfg_read(1, PCI_DEVICE_ID, 2) == 0x100e);
	CHECK(cfg_read(1, PCI_CLASS_REVISION, 4) == 0x02000003);
	CHECK(cfg_read(1, PCI_SUBSYSTEM_ID, 2) == 0x001e);
	CHECK(cfg_read(1, PCI_INTERRUPT_PIN, 1) == 1);
	CHECK(cfg_read(1, PCI_INTERRUPT_LINE, 1) == 23);
	/* Assigned before the kernel starts, inside the windows, decoding on. */
	CHECK(cfg_read(1, PCI_BAR0, 4) == PCI_MMIO_BASE);
	CHECK(cfg_read(1, PCI_BAR0 + 4, 4) == (PCI_IO_BASE | PCI_BAR_IO));
	CHECK((cfg_read(1, PCI_COMMAND, 2) & 3) == 3);
}

/* The sizing protocol: all ones in, the size mask with the type bits out, then restore. */
static void sizing(void)
{
	setup();
	cfg_write(1, PCI_BAR0, 4, 0xffffffff);
	CHECK(cfg_read(1, PCI_BAR0, 4) == 0xfffe0000);
	cfg_write(1, PCI_BAR0, 4, PCI_MMIO_BASE);
	CHECK(cfg_read(1, PCI_BAR0, 4) == PCI_MMIO_BASE);
	cfg_write(1, PCI_BAR0 + 4, 4, 0xffffffff);
	CHECK(cfg_read(1, PCI_BAR0 + 4, 4) == 0xffffffc1);
	/* Unimplemented BARs and the expansion ROM size to 0. */
	for (unsigned reg = PCI_BAR0 + 8; reg <= PCI_ROM_ADDRESS; reg += 4) {
		if (reg > PCI_BAR0 + 20 && reg != PCI_ROM_ADDRESS)
			continue;
		cfg_write(1, reg, 4, 0xffffffff);
		CHECK(cfg_read(1, reg, 4) == 0);
	}
}

static void bar_access_and_move(void)
{
	setup();
	CHECK(mmio_read32(PCI_MMIO_BASE + 0x10) == 0x5a5a5a5a);
	CHECK(mem_rec.offset == 0x10 && mem_rec.len == 4);
	CHECK(pio_in(PCI_IO_BASE + 8, 2) == 0xa5a5 && io_rec.offset == 8);

	/* Move the memory BAR 1 MiB up: the old address stops decoding, the new one starts. */
	cfg_write(1, PCI_BAR0, 4, PCI_MMIO_BASE + 0x100000);
	mem_rec.calls = 0;
	CHECK(mmio_read32(PCI_MMIO_BASE + 0x10) == 0xffffffff && mem_rec.calls == 0);
	CHECK(mmio_read32(PCI_MMIO_BASE + 0x100000 + 0x1fffc) == 0x5a5a5a5a);
	CHECK(mem_rec.offset == 0x1fffc);
	/* An unaligned address keeps only the size-aligned bits. */
	cfg_write(1, PCI_BAR0, 4, PCI_MMIO_BASE + 0x212345);
	CHECK(cfg_read(1, PCI_BAR0, 4) == PCI_MMIO_BASE + 0x200000);

	/* Move the I/O BAR with two word writes. */
	cfg_write(1, PCI_BAR0 + 4, 2, 0xd041);
	cfg_write(1, PCI_BAR0 + 6, 2, 0);
	CHECK(cfg_read(1, PCI_BAR0 + 4, 4) == 0xd041);
	io_rec.calls = 0;
	CHECK(pio_in(PCI_IO_BASE + 8, 1) == 0xff && io_rec.calls == 0);
	CHECK(pio_in(0xd040 + 63, 1) == 0xa5 && io_rec.offset == 63);
	/* Straddling the BAR's end: nobody's. */
	io_rec.calls = 0;
	CHECK(pio_in(0xd040 + 62, 4) == 0xffffffff && io_rec.calls == 0);

	/* Moved outside the window: decodes nowhere, and nothing crashes. */
	cfg_write(1, PCI_BAR0, 4, 0xf8000000);
	mem_rec.calls = 0;
	CHECK(mmio_read32(PCI_MMIO_BASE + 0x200000) == 0xffffffff && mem_rec.calls == 0);
}

static void decoding_disabled(void)
{
	setup();
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_IO);	/* memory off */
	CHECK(mmio_read32(PCI_MMIO_BASE) == 0xffffffff && mem_rec.calls == 0);
	CHECK(pio_in(PCI_IO_BASE, 1) == 0xa5);
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);	/* I/O off */
	CHECK(pio_in(PCI_IO_BASE, 1) == 0xff);
	CHECK(mmio_read32(PCI_MMIO_BASE) == 0x5a5a5a5a);
	/* Writes are dropped while off. */
	cfg_write(1, PCI_COMMAND, 2, 0);
	mem_rec.calls = 0;
	uint8_t d[4] = { 1, 2, 3, 4 };
	io_bus_dispatch(&mmio, PCI_MMIO_BASE, d, 4, true);
	CHECK(mem_rec.calls == 0);
	/* Read-only bits of the command register stay 0. */
	cfg_write(1, PCI_COMMAND, 2, 0xffff);
	CHECK(cfg_read(1, PCI_COMMAND, 2) == 0x407);
	cfg_write(1, PCI_STATUS, 2, 0xffff);
	CHECK(cfg_read(1, PCI_STATUS, 2) == 0);
	cfg_write(1, PCI_VENDOR_ID, 4, 0);
	CHECK(cfg_read(1, PCI_VENDOR_ID, 2) == 0x8086);
}

static void absent_functions(void)
{
	setup();
	CHECK(cfg_read(2, PCI_VENDOR_ID, 4) == 0xffffffff);
	CHECK(cfg_read(31, PCI_VENDOR_ID, 2) == 0xffff);
	/* Function 1 of a present device, bus 1. */
	pio_out(0xcf8, 4, addr_of(1, 0) | 1 << 8);
	CHECK(pio_in(0xcfc, 4) == 0xffffffff);
	pio_out(0xcf8, 4, addr_of(1, 0) | 1 << 16);
	CHECK(pio_in(0xcfc, 4) == 0xffffffff);
	/* Writes there change nothing anywhere. */
	pio_out(0xcfc, 4, 0);
	CHECK(cfg_read(1, PCI_VENDOR_ID, 2) == 0x8086);
}

static void access_sizes(void)
{
	setup();
	/* Bytes and words at every offset of the data port. */
	CHECK(cfg_read(1, 0, 1) == 0x86 && cfg_read(1, 1, 1) == 0x80);
	CHECK(cfg_read(1, 2, 1) == 0x0e && cfg_read(1, 3, 1) == 0x10);
	CHECK(cfg_read(1, 2, 2) == 0x100e);
	pio_out(0xcf8, 4, addr_of(1, 0));
	CHECK(pio_in(0xcfd, 2) == 0x0e80);	/* a word across bytes 1-2 */
	CHECK(pio_in(0xcfe, 4) == 0xffffffff);	/* runs past 0xCFF: not a config cycle */
	/* A byte write to the IRQ line, the last register byte at offset 0xff. */
	cfg_write(1, PCI_INTERRUPT_LINE, 1, 11);
	CHECK(cfg_read(1, PCI_INTERRUPT_LINE, 1) == 11 && cfg_read(1, PCI_INTERRUPT_PIN, 1) == 1);
	CHECK(cfg_read(1, 0xff, 1) == 0 && cfg_read(1, 0xfc, 4) == 0);
	/* A byte-wise BAR write. */
	cfg_write(1, PCI_BAR0 + 3, 1, 0xe1);
	CHECK(cfg_read(1, PCI_BAR0, 4) == 0xe1000000);
}

static void bad_address_values(void)
{
	setup();
	/* Enable bit clear: the data port is not a config cycle. */
	pio_out(0xcf8, 4, addr_of(1, 0) & ~0x80000000u);
	CHECK(pio_in(0xcfc, 4) == 0xffffffff);
	/* Reserved bits (30:24, 1:0) read back as 0 and select nothing odd. */
	pio_out(0xcf8, 4, addr_of(1, 0) | 0x7f000003);
	CHECK(pio_in(0xcf8, 4) == addr_of(1, 0));
	CHECK(pio_in(0xcfc, 2) == 0x8086);
	/* Byte and word accesses to 0xCF8-0xCFB leave the address alone. */
	pio_out(0xcf8, 1, 0);
	pio_out(0xcf9, 1, 0x06);	/* PIIX reset control: ignored, no reset */
	pio_out(0xcfa, 2, 0);
	CHECK(pio_in(0xcf8, 4) == addr_of(1, 0));
	CHECK(pio_in(0xcf8, 2) == 0xffff && pio_in(0xcfb, 1) == 0xff);
	/* All ones: bus 255, device 31, function 7 - absent. */
	pio_out(0xcf8, 4, 0xffffffff);
	CHECK(pio_in(0xcf8, 4) == 0x80fffffc);
	CHECK(pio_in(0xcfc, 4) == 0xffffffff);
}

static void intx(void)
{
	struct pci_func *f = setup();

	pci_func_set_irq(f, true);
	pci_func_set_irq(f, true);	/* no change, nothing sent */
	CHECK(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* INTx disable drops the line while the request stays pending. */
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	CHECK(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	pci_func_set_irq(f, false);
	CHECK(!(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));
	CHECK_STR(irq_log, "23=1 23=0 23=1 23=0 ");
}

static void limits(void)
{
	struct pci_func_desc big = { .vendor = 1, .bars = { { 0x8000000, false, bar_fn, &mem_rec } } };
	struct pci_func_desc bad = { .vendor = 1, .bars = { { 0x3000, false, bar_fn, &mem_rec } } };
	struct pci_func_desc tiny = { .vendor = 1, .bars = { { 8, false, bar_fn, &mem_rec } } };
	struct pci_func_desc irq = { .vendor = 1, .intx = true };
	unsigned n = 0;

	setup();	/* 128 KiB used at the window's start */
	CHECK(pci_bus_add(&bus, &bad) == NULL);
	CHECK(pci_bus_add(&bus, &tiny) == NULL);
	/* 128 MiB, naturally aligned: one fits after the 128 KiB BAR, the next does not. */
	CHECK(pci_bus_add(&bus, &big) != NULL);
	CHECK(cfg_read(2, PCI_BAR0, 4) == PCI_MMIO_BASE + 0x8000000);
	CHECK(pci_bus_add(&bus, &big) == NULL);
	/* Interrupt lines 23 (taken) down to 16: seven more. */
	while (pci_bus_add(&bus, &irq))
		n++;
	CHECK(n == 7);
	CHECK(cfg_read(3 + 6, PCI_INTERRUPT_LINE, 1) == 16);
}

int main(void)
{
	RUN(host_bridge);
	RUN(identity_and_sizes);
	RUN(sizing);
	RUN(bar_access_and_move);
	RUN(decoding_disabled);
	RUN(absent_functions);
	RUN(access_sizes);
	RUN(bad_address_values);
	RUN(intx);
	RUN(limits);
	return CHECK_SUMMARY();
}
