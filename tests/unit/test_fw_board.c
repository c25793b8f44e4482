/* Unit tests of the firmware's bus and IRQ layout: no PCI bus, and PCI functions the monitor routed. */
#include "check.h"
#include "board.h"

/* A fake bus 0: per slot, dword 0 (IDs) and dword 0x3c (line, pin). */
static uint32_t ids[32], intr[32];
static unsigned reads;

static uint32_t fake_read(unsigned int slot, unsigned int reg)
{
	reads++;
	if (slot >= 32)
		return 0xffffffff;
	if (reg == 0)
		return ids[slot];
	return reg == 0x3c ? intr[slot] : 0;
}

static void reset(void)
{
	for (unsigned i = 0; i < 32; i++)
		ids[i] = intr[i] = 0xffffffff;
	reads = 0;
}

static const struct mp_irq *route_of_pin(const struct mp_layout *l, unsigned pin, unsigned *count)
{
	const struct mp_irq *found = NULL;

	*count = 0;
	for (unsigned i = 0; i < l->nirqs; i++)
		if (l->irqs[i].pin == pin) {
			found = &l->irqs[i];
			(*count)++;
		}
	return found;
}

static void no_pci_bus(void)
{
	struct mp_layout l;
	struct board_storage st;

	reset();
	board_mp_layout(&l, &st, fake_read);
	CHECK(reads == 1);	/* a VM without PCI pays one config read */
	CHECK(l.nbuses == 1 && !memcmp(l.buses[0].type, "ISA   ", 6));
	CHECK(l.nirqs == 23);
}

static void pci_functions(void)
{
	struct mp_layout l;
	struct board_storage st;
	const struct mp_irq *r;
	unsigned count;

	reset();
	ids[0] = 0x12378086;
	ids[1] = 0x100e8086, intr[1] = 0x0117;	/* INTA, pin 23 */
	ids[2] = 0x813910ec, intr[2] = 0x0116;	/* INTA, pin 22 */
	ids[3] = 0x12345678, intr[3] = 0x0000;	/* no interrupt */
	ids[4] = 0x12345678, intr[4] = 0x0105;	/* an ISA pin: not PCI's, ignored */
	ids[5] = 0x12345678, intr[5] = 0x0917;	/* pin 9: invalid */
	ids[6] = 0x12345678, intr[6] = 0x0217;	/* pin 23 again: one source per pin */
	board_mp_layout(&l, &st, fake_read);
	/* PCI bus 0 is MP bus 0: Linux looks a device's route up by its PCI bus number. */
	CHECK(l.nbuses == 2 && l.buses[0].id == 0 && !memcmp(l.buses[0].type, "PCI   ", 6));
	CHECK(l.buses[1].id == BOARD_ISA_BUS_WITH_PCI && !memcmp(l.buses[1].type, "ISA   ", 6));
	r = route_of_pin(&l, 23, &count);
	CHECK(count == 1 && r && r->bus == BOARD_PCI_BUS && r->bus_irq == (1 << 2 | 0));
	CHECK(r && r->flags == MP_IRQ_BUS_DEFAULT);
	r = route_of_pin(&l, 22, &count);
	CHECK(count == 1 && r && r->bus == BOARD_PCI_BUS && r->bus_irq == (2 << 2 | 0));
	r = route_of_pin(&l, 5, &count);
	CHECK(count == 1 && r && r->bus == BOARD_ISA_BUS_WITH_PCI);
	r = route_of_pin(&l, 21, &count);
	CHECK(count == 1 && r && r->bus == BOARD_ISA_BUS_WITH_PCI);
	CHECK(l.nirqs == 23);	/* two ISA routes replaced by two PCI ones */
}

/* Every PCI pin taken: still within the storage, one source per pin. */
static void all_pins(void)
{
	struct mp_layout l;
	struct board_storage st;
	unsigned count;

	reset();
	ids[0] = 0x12378086;
	for (unsigned s = 1; s < 32; s++) {
		ids[s] = 0x00011234;
		intr[s] = 0x0100 | (16 + s % 8);
	}
	board_mp_layout(&l, &st, fake_read);
	CHECK(l.nirqs == 23 && l.nirqs <= BOARD_IRQS_MAX);
	for (unsigned pin = 16; pin <= 23; pin++) {
		const struct mp_irq *r = route_of_pin(&l, pin, &count);

		CHECK(count == 1 && r && r->bus == BOARD_PCI_BUS);
	}
}

int main(void)
{
	RUN(no_pci_bus);
	RUN(pci_functions);
	RUN(all_pins);
	return CHECK_SUMMARY();
}
