/* A minimal PCI bus: configuration mechanism #1, a host bridge, and generic functions with BARs. */
#include "pci/pci.h"

#include <string.h>

#define CONFIG_ENABLE 0x80000000u
/* CONFIG_ADDRESS keeps the enable bit and bus/device/function/register; the rest reads 0. */
#define CONFIG_ADDRESS_MASK 0x80fffffcu

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void fill_header(struct pci_func *f, const struct pci_func_desc *d)
{
	put16(f->cfg + PCI_VENDOR_ID, d->vendor);
	put16(f->cfg + PCI_DEVICE_ID, d->device);
	put32(f->cfg + PCI_CLASS_REVISION, d->class_code << 8 | d->revision);
	put16(f->cfg + PCI_SUBSYSTEM_VENDOR_ID, d->subsys_vendor);
	put16(f->cfg + PCI_SUBSYSTEM_ID, d->subsys);
	/* Guest-writable: decode/master/INTx-disable, cache line, latency, IRQ line. */
	put16(f->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		      PCI_COMMAND_INTX_DISABLE);
	f->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	f->wmask[PCI_LATENCY_TIMER] = 0xff;
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

static bool valid_bar(const struct pci_bar_desc *b)
{
	uint32_t min = b->io ? 4 : 16;

	if (!b->size)
		return true;
	return b->fn && b->size >= min && !(b->size & (b->size - 1)) &&
	       b->size <= (b->io ? PCI_IO_SIZE : PCI_MMIO_SIZE);
}

/* Next naturally aligned SIZE bytes at *NEXT below END; false when they do not fit. */
static bool alloc(uint32_t *next, uint32_t end, uint32_t size, uint32_t *addr)
{
	uint64_t a = ((uint64_t)*next + size - 1) & ~(uint64_t)(size - 1);

	if (a + size > end)
		return false;
	*addr = a;
	*next = a + size;
	return true;
}

/* Place every BAR of F; the allocators move only when all of them fit. */
static bool assign_bars(struct pci_bus *bus, struct pci_func *f)
{
	uint32_t next_mmio = bus->next_mmio, next_io = bus->next_io;
	uint16_t cmd = 0;

	for (unsigned i = 0; i < PCI_BARS; i++) {
		const struct pci_bar_desc *b = &f->bars[i];
		uint8_t *reg = f->cfg + PCI_BAR0 + 4 * i;
		uint32_t addr;

		if (!b->size)
			continue;
		if (b->io) {
			if (!alloc(&next_io, PCI_IO_BASE + PCI_IO_SIZE, b->size, &addr))
				return false;
			put32(reg, addr | PCI_BAR_IO);
			put32(f->wmask + PCI_BAR0 + 4 * i, ~(b->size - 1) & ~3u);
			cmd |= PCI_COMMAND_IO;
		} else {
			if (!alloc(&next_mmio, PCI_MMIO_BASE + PCI_MMIO_SIZE, b->size, &addr))
				return false;
			put32(reg, addr);
			put32(f->wmask + PCI_BAR0 + 4 * i, ~(b->size - 1) & ~0xfu);
			cmd |= PCI_COMMAND_MEMORY;
		}
	}
	bus->next_mmio = next_mmio;
	bus->next_io = next_io;
	/* As firmware would: enabled, so that a guest taking them as they are works. */
	put16(f->cfg + PCI_COMMAND, cmd);
	return true;
}

void pci_bus_init(struct pci_bus *bus, void (*set_irq)(void *opaque, unsigned gsi, bool level),
		  void *irq_opaque)
{
	static const struct pci_func_desc host = {
		.vendor = PCI_HOST_VENDOR, .device = PCI_HOST_DEVICE,
		.class_code = 0x060000, .revision = 2,
	};

	memset(bus, 0, sizeof(*bus));
	pthread_mutex_init(&bus->lock, NULL);
	bus->next_mmio = PCI_MMIO_BASE;
	bus->next_io = PCI_IO_BASE;
	bus->next_gsi = PCI_GSI_TOP;
	bus->min_gsi = PCI_GSI_MIN;
	bus->set_irq = set_irq;
	bus->irq_opaque = irq_opaque;
	pci_bus_add(bus, &host);
}

struct pci_func *pci_bus_add(struct pci_bus *bus, const struct pci_func_desc *desc)
{
	struct pci_func *f;

	if (bus->nfuncs == PCI_SLOTS || (desc->intx && bus->next_gsi < bus->min_gsi))
		return NULL;
	for (unsigned i = 0; i < PCI_BARS; i++)
		if (!valid_bar(&desc->bars[i]))
			return NULL;
	f = &bus->funcs[bus->nfuncs];
	memset(f, 0, sizeof(*f));
	f->bus = bus;
	f->slot = bus->nfuncs;
	memcpy(f->bars, desc->bars, sizeof(f->bars));
	fill_header(f, desc);
	if (!assign_bars(bus, f))
		return NULL;
	if (desc->intx) {
		f->gsi = bus->next_gsi--;
		f->cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA */
		f->cfg[PCI_INTERRUPT_LINE] = f->gsi;
	}
	f->present = true;
	bus->nfuncs++;
	return f;
}

int pci_bus_attach(struct pci_bus *bus, struct io_bus *pio, struct io_bus *mmio)
{
	int err = io_bus_register(pio, PCI_CONFIG_PORT, PCI_CONFIG_PORTS, pci_config_io, bus);

	if (!err)
		err = io_bus_register(pio, PCI_IO_BASE, PCI_IO_SIZE, pci_io_window, bus);
	if (!err)
		err = io_bus_register(mmio, PCI_MMIO_BASE, PCI_MMIO_SIZE, pci_mmio_window, bus);
	return err;
}

/* Send the line's level when it changes. Called with the bus lock held. */
static void update_line(struct pci_func *f)
{
	bool line = f->level && !(get16(f->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	uint16_t status = get16(f->cfg + PCI_STATUS);

	/* Interrupt Status reflects the request even while INTx is disabled. */
	status = f->level ? status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT;
	put16(f->cfg + PCI_STATUS, status);
	if (line == f->line || !f->cfg[PCI_INTERRUPT_PIN])
		return;
	f->line = line;
	if (f->bus->set_irq)
		f->bus->set_irq(f->bus->irq_opaque, f->gsi, line);
}

void pci_func_set_irq(struct pci_func *f, bool level)
{
	pthread_mutex_lock(&f->bus->lock);
	f->level = level;
	update_line(f);
	pthread_mutex_unlock(&f->bus->lock);
}

/* The function CONFIG_ADDRESS selects, or NULL (disabled, other bus/function, empty slot). */
static struct pci_func *selected(struct pci_bus *bus)
{
	uint32_t a = bus->address;
	unsigned slot = (a >> 11) & 0x1f;

	if (!(a & CONFIG_ENABLE) || ((a >> 16) & 0xff) || ((a >> 8) & 7))
		return NULL;
	if (slot >= bus->nfuncs || !bus->funcs[slot].present)
		return NULL;
	return &bus->funcs[slot];
}

static void config_data(struct pci_bus *bus, unsigned off, uint8_t *data, unsigned len,
			bool is_write)
{
	struct pci_func *f = selected(bus);
	unsigned reg = (bus->address & 0xfc) + off;

	if (!f) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (!is_write) {
		memcpy(data, f->cfg + reg, len);
		return;
	}
	for (unsigned i = 0; i < len; i++)
		f->cfg[reg + i] = (f->cfg[reg + i] & ~f->wmask[reg + i]) | (data[i] & f->wmask[reg + i]);
	/* INTx disable may have changed; BAR and decode changes take effect at the next lookup. */
	if (reg < PCI_COMMAND + 2 && reg + len > PCI_COMMAND)
		update_line(f);
}

void pci_config_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct pci_bus *bus = opaque;

	pthread_mutex_lock(&bus->lock);
	if (offset == 0 && len == 4) {
		if (is_write)
			bus->address = get32(data) & CONFIG_ADDRESS_MASK;
		else
			put32(data, bus->address);
	} else if (offset >= 4 && len <= 4 && offset - 4 + len <= 4) {
		config_data(bus, offset - 4, data, len, is_write);
	} else if (!is_write) {
		/* Not a config cycle (0xCF8 byte/word, 0xCF9 reset control): nothing here. */
		memset(data, 0xff, len);
	}
	pthread_mutex_unlock(&bus->lock);
}

/*
 * The BAR of kind IO decoding [ADDR, ADDR+LEN) wholly; its handler and the
 * offset into it. False when none does (decoding off, moved away, straddling).
 */
static bool lookup(struct pci_bus *bus, bool io, uint32_t addr, unsigned len,
		   struct pci_bar_desc *out, uint32_t *offset)
{
	bool found = false;

	pthread_mutex_lock(&bus->lock);
	for (unsigned s = 0; s < bus->nfuncs && !found; s++) {
		struct pci_func *f = &bus->funcs[s];
		uint16_t cmd = get16(f->cfg + PCI_COMMAND);

		if (!(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
			continue;
		for (unsigned i = 0; i < PCI_BARS && !found; i++) {
			const struct pci_bar_desc *b = &f->bars[i];
			uint32_t base = get32(f->cfg + PCI_BAR0 + 4 * i) & (io ? ~3u : ~0xfu);

			if (!b->size || b->io != io || addr < base || addr - base >= b->size ||
			    len > b->size - (addr - base))
				continue;
			*out = *b;
			*offset = addr - base;
			found = true;
		}
	}
	pthread_mutex_unlock(&bus->lock);
	return found;
}

/* Hand the access to the BAR's model outside the bus lock: it has its own. */
static void window(struct pci_bus *bus, bool io, uint32_t addr, uint8_t *data, unsigned len,
		   bool is_write)
{
	struct pci_bar_desc bar;
	uint32_t offset;

	if (lookup(bus, io, addr, len, &bar, &offset))
		bar.fn(bar.opaque, offset, data, len, is_write);
	else if (!is_write)
		memset(data, 0xff, len);
}

void pci_mmio_window(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	window(opaque, false, PCI_MMIO_BASE + (uint32_t)offset, data, len, is_write);
}

void pci_io_window(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	window(opaque, true, PCI_IO_BASE + (uint32_t)offset, data, len, is_write);
}
