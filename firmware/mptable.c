/* Writes the MP table (Intel MP Spec 1.4) that tells Linux about CPUs, I/O APIC and IRQ routing. */
#include <stdint.h>
#include "mptable.h"
#include "boot_info.h"
#include "phys.h"
#include "string.h"

/* The EBDA KiB: e820-reserved, and where Linux looks for the floating pointer. */
#define MPTABLE_SPACE 0x400
#define MP_SPEC_REV 4		/* 1.4 */
#define LAPIC_VERSION 0x14	/* integrated xAPIC, as KVM's */
#define IOAPIC_VERSION 0x11	/* 82093AA, as KVM's */

enum mp_entry_type { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_IOINTR, MP_LOCALINTR };
enum mp_intr_type { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define CPU_ENABLED 0x1
#define CPU_BSP 0x2
#define IOAPIC_ENABLED 0x1
#define ALL_LAPICS 0xff

struct mp_floating {
	char signature[4];	/* "_MP_" */
	uint32_t config;	/* physical address of struct mp_config */
	uint8_t length;		/* in 16-byte units */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];	/* all 0: config table present, virtual-wire mode */
} __attribute__((packed));

struct mp_config {
	char signature[4];	/* "PCMP" */
	uint16_t length;	/* header and all entries */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entries;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
	uint8_t type, apic_id, apic_version, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus_entry {
	uint8_t type, id;
	char bus_type[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} __attribute__((packed));

/* I/O and local interrupt entries share this shape; dest is an I/O APIC or a LAPIC id. */
struct mp_intr {
	uint8_t type, intr_type;
	uint16_t flags;
	uint8_t src_bus, src_irq, dest, dest_pin;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating) == 16, "MP floating pointer layout");
_Static_assert(sizeof(struct mp_config) == 44, "MP config header layout");
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry layout");
_Static_assert(sizeof(struct mp_bus_entry) == 8 && sizeof(struct mp_ioapic) == 8 &&
	       sizeof(struct mp_intr) == 8, "MP 8-byte entry layout");

/* Where the next entry goes, and how many went before it. */
struct mp_cursor {
	uint8_t *next;
	uint16_t entries;
};

static void emit(struct mp_cursor *c, const void *entry, unsigned int size)
{
	memcpy(c->next, entry, size);
	c->next += size;
	c->entries++;
}

static uint8_t checksum(const void *p, unsigned int n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return (uint8_t)-sum;
}

static unsigned int table_size(unsigned int ncpus, const struct mp_layout *l)
{
	unsigned int eight_byte = l->nbuses + 1 + l->nirqs + 2; /* + I/O APIC, LINT0/1 */

	return sizeof(struct mp_floating) + sizeof(struct mp_config) +
	       ncpus * sizeof(struct mp_processor) + eight_byte * 8;
}

/* Family/model/stepping and feature flags for the processor entries, as the CPU reports them. */
static void cpu_id(uint32_t *signature, uint32_t *features)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	*signature = a;
	*features = d;
}

static void emit_processors(struct mp_cursor *c, unsigned int ncpus)
{
	struct mp_processor e = { .type = MP_PROCESSOR, .apic_version = LAPIC_VERSION };
	uint32_t signature, features;
	unsigned int i;

	cpu_id(&signature, &features);
	e.signature = signature;
	e.features = features;
	for (i = 0; i < ncpus; i++) {
		e.apic_id = (uint8_t)i;
		e.flags = CPU_ENABLED | (i == 0 ? CPU_BSP : 0);
		emit(c, &e, sizeof(e));
	}
}

static void emit_buses(struct mp_cursor *c, const struct mp_layout *l)
{
	struct mp_bus_entry e = { .type = MP_BUS };
	unsigned int i;

	for (i = 0; i < l->nbuses; i++) {
		e.id = l->buses[i].id;
		memcpy(e.bus_type, l->buses[i].type, sizeof(e.bus_type));
		emit(c, &e, sizeof(e));
	}
}

static void emit_ioapic(struct mp_cursor *c, uint8_t id)
{
	struct mp_ioapic e = { .type = MP_IOAPIC, .id = id, .version = IOAPIC_VERSION,
			       .flags = IOAPIC_ENABLED, .addr = BOOT_IOAPIC_ADDR };

	emit(c, &e, sizeof(e));
}

static void emit_irqs(struct mp_cursor *c, const struct mp_layout *l, uint8_t ioapic_id)
{
	struct mp_intr e = { .type = MP_IOINTR, .intr_type = MP_INT, .dest = ioapic_id };
	unsigned int i;

	for (i = 0; i < l->nirqs; i++) {
		e.flags = l->irqs[i].flags;
		e.src_bus = l->irqs[i].bus;
		e.src_irq = l->irqs[i].bus_irq;
		e.dest_pin = l->irqs[i].pin;
		emit(c, &e, sizeof(e));
	}
}

/* Virtual-wire mode: the 8259 reaches every CPU's LINT0, NMI its LINT1. */
static void emit_local_irqs(struct mp_cursor *c)
{
	struct mp_intr e = { .type = MP_LOCALINTR, .intr_type = MP_EXTINT, .dest = ALL_LAPICS };

	emit(c, &e, sizeof(e));
	e.intr_type = MP_NMI;
	e.dest_pin = 1;
	emit(c, &e, sizeof(e));
}

static void write_floating(struct mp_floating *fp, const struct mp_config *cfg)
{
	memset(fp, 0, sizeof(*fp));
	memcpy(fp->signature, "_MP_", 4);
	fp->config = (uint32_t)(uintptr_t)cfg;
	fp->length = sizeof(*fp) / 16;
	fp->spec_rev = MP_SPEC_REV;
	fp->checksum = checksum(fp, sizeof(*fp));
}

static void write_config_header(struct mp_config *cfg, const struct mp_cursor *c)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->signature, "PCMP", 4);
	cfg->length = (uint16_t)(c->next - (uint8_t *)cfg);
	cfg->spec_rev = MP_SPEC_REV;
	memcpy(cfg->oem, "CAPSULE ", sizeof(cfg->oem));
	memcpy(cfg->product, "MICROVM     ", sizeof(cfg->product));
	cfg->entries = c->entries;
	cfg->lapic_addr = BOOT_LAPIC_ADDR;
	cfg->checksum = checksum(cfg, cfg->length);
}

int mptable_write(unsigned int ncpus, const struct mp_layout *layout)
{
	struct mp_floating *fp = phys_ptr(BOOT_MPTABLE_ADDR);
	struct mp_config *cfg = (struct mp_config *)(fp + 1);
	struct mp_cursor c = { .next = (uint8_t *)(cfg + 1) };
	uint8_t ioapic_id = (uint8_t)ncpus; /* the first id after the CPUs' */

	if (ncpus < 1 || ncpus > MPTABLE_MAX_CPUS || table_size(ncpus, layout) > MPTABLE_SPACE)
		return -1;
	emit_processors(&c, ncpus);
	emit_buses(&c, layout);
	emit_ioapic(&c, ioapic_id);
	emit_irqs(&c, layout, ioapic_id);
	emit_local_irqs(&c);
	write_config_header(cfg, &c);
	write_floating(fp, cfg);
	return 0;
}
