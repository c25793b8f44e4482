/* libFuzzer target: PCI config cycles and BAR-window accesses from a fuzzed guest, with INTx changes between them. */
#include "fuzz_input.h"
#include "pci/pci.h"

/*
 * The input: steps of OP then a 32-bit ARG. OP bits 0-1: 0 an access to
 * 0xCF8 + (OP bits 2-4) with value ARG, 1 one to the memory window at ARG
 * modulo its size, 2 one to the I/O window likewise, 3 sets the function's
 * INTx request to ARG bit 0. OP bits 5-6 give the length (1, 2, 4, 8), bit 7
 * makes it a write. After every step the bus must hold its invariants; a
 * broken one aborts.
 */
#define MEM_SIZE 0x20000u
#define IO_SIZE 64u

static bool line;
static unsigned line_changes;

static void set_irq(void *opaque, unsigned gsi, bool level)
{
	(void)opaque;
	/* Only the function's own input, and only on a change. */
	if (gsi != 23 || level == line)
		abort();
	line = level;
	line_changes++;
}

/* A BAR handler: its access must lie inside the BAR. */
static void bar_fn(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	uint32_t size = (uint32_t)(uintptr_t)opaque;

	if (!len || len > 8 || offset >= size || len > size - offset)
		abort();
	if (!is_write)
		memset(data, 0x5a, len);
}

static uint32_t cfg32(const struct pci_func *f, unsigned reg)
{
	const uint8_t *p = f->cfg + reg;

	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check(const struct pci_bus *bus, const struct pci_func *f)
{
	uint16_t cmd = f->cfg[PCI_COMMAND] | f->cfg[PCI_COMMAND + 1] << 8;

	/* Read-only identity, type bits and unimplemented registers hold. */
	if (cfg32(f, PCI_VENDOR_ID) != 0x100e8086u || f->cfg[PCI_INTERRUPT_PIN] != 1 ||
	    f->cfg[PCI_HEADER_TYPE] || cfg32(f, PCI_ROM_ADDRESS) || cfg32(f, PCI_BAR0 + 8))
		abort();
	if ((cfg32(f, PCI_BAR0) & (MEM_SIZE - 1)) || (cfg32(f, PCI_BAR0 + 4) & (IO_SIZE - 1)) != 1)
		abort();
	if (cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE))
		abort();
	if (line != (f->level && !(cmd & PCI_COMMAND_INTX_DISABLE)))
		abort();
	if (bus->address & ~0x80fffffcu || bus->funcs[0].cfg[PCI_VENDOR_ID] != 0x86)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct io_bus pio, mmio;
	static struct pci_bus bus;
	struct pci_func_desc d = {
		.vendor = 0x8086, .device = 0x100e, .class_code = 0x020000, .intx = true,
		.bars = { { MEM_SIZE, false, bar_fn, (void *)(uintptr_t)MEM_SIZE },
			  { IO_SIZE, true, bar_fn, (void *)(uintptr_t)IO_SIZE } },
	};
	struct fuzz_in in = { data, size };
	struct pci_func *f;
	unsigned steps = 0;

	io_bus_init(&pio, "pio");
	io_bus_init(&mmio, "mmio");
	line = false;
	line_changes = 0;
	pci_bus_init(&bus, set_irq, NULL);
	if (pci_bus_attach(&bus, &pio, &mmio) || !(f = pci_bus_add(&bus, &d)))
		abort();
	while (in.left && steps++ < 4096) {
		uint8_t op = fin_u8(&in);
		uint32_t arg = fin_u32(&in);
		unsigned len = 1u << ((op >> 5) & 3);
		bool write = op & 0x80;
		uint8_t buf[8] = { arg, arg >> 8, arg >> 16, arg >> 24, arg, arg >> 8, arg >> 16, arg >> 24 };

		switch (op & 3) {
		case 0:
			io_bus_dispatch(&pio, PCI_CONFIG_PORT + ((op >> 2) & 7), buf, len, write);
			break;
		case 1:
			io_bus_dispatch(&mmio, PCI_MMIO_BASE + arg % PCI_MMIO_SIZE, buf, len, write);
			break;
		case 2:
			io_bus_dispatch(&pio, PCI_IO_BASE + arg % PCI_IO_SIZE, buf, len, write);
			break;
		default:
			pci_func_set_irq(f, arg & 1);
			break;
		}
		check(&bus, f);
	}
	pthread_mutex_destroy(&bus.lock);
	return 0;
}
