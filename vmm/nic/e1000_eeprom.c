/* The e1000's EEPROM (Microwire through EECD, or EERD) and its internal PHY through MDIC. */
#include <string.h>

#include "nic/e1000_regs.h"

#define EEPROM_CHECKSUM_WORD 0x3f
#define EEPROM_SUM 0xbaba		/* words 0..0x3f add up to this */
#define EE_OPCODE_BITS 3
#define EE_ADDR_BITS 6			/* 64 words: EECD.SIZE reads 0 */
#define EE_OP_READ 0x6

void e1000_eeprom_fill(uint16_t *eeprom, const uint8_t mac[6])
{
	uint16_t sum = 0;

	memset(eeprom, 0, E1000_EEPROM_WORDS * sizeof(*eeprom));
	for (int i = 0; i < 3; i++)
		eeprom[i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
	eeprom[0x0b] = E1000_PCI_SUBSYS_ID;
	eeprom[0x0c] = E1000_PCI_SUBSYS_VENDOR;
	eeprom[0x0d] = E1000_PCI_DEVICE;
	eeprom[0x0e] = E1000_PCI_VENDOR;
	for (int i = 0; i < EEPROM_CHECKSUM_WORD; i++)
		sum = (uint16_t)(sum + eeprom[i]);
	eeprom[EEPROM_CHECKSUM_WORD] = (uint16_t)(EEPROM_SUM - sum);
}

uint32_t e1000_eecd_read(struct e1000 *dev)
{
	uint32_t v = dev->ee.eecd | E1000_EECD_PRES;

	/* Nobody else wants the EEPROM: a request is granted at once. */
	if (v & E1000_EECD_REQ)
		v |= E1000_EECD_GNT;
	if (dev->ee.dout)
		v |= E1000_EECD_DO;
	return v;
}

/* A rising clock edge with chip select: take DI in, or move DO to the next data bit. */
static void ee_clock(struct e1000_eeprom_port *ee, const uint16_t *eeprom, bool di)
{
	if (ee->reading) {
		if (ee->out_bit == 0) {
			/* Sequential read: the next word follows. */
			ee->addr = (ee->addr + 1) % E1000_EEPROM_WORDS;
			ee->out_bit = 16;
		}
		ee->out_bit--;
		ee->dout = (eeprom[ee->addr] >> ee->out_bit) & 1;
		return;
	}
	ee->shift = ee->shift << 1 | di;
	if (++ee->nbits < EE_OPCODE_BITS + EE_ADDR_BITS)
		return;
	if ((ee->shift >> EE_ADDR_BITS) == EE_OP_READ) {
		/* Bit 15 of the word shows on DO from the next rising edge on. */
		ee->reading = true;
		ee->addr = ee->shift & (E1000_EEPROM_WORDS - 1);
		ee->out_bit = 16;
	}
	/* Writes and erases are not taken: the EEPROM is read-only here. */
	ee->dout = false;
	ee->nbits = 0;
	ee->shift = 0;
}

void e1000_eecd_write(struct e1000 *dev, uint32_t val)
{
	struct e1000_eeprom_port *ee = &dev->ee;
	bool rising = (val & E1000_EECD_SK) && !(ee->eecd & E1000_EECD_SK);

	if (!(val & E1000_EECD_CS)) {
		/* Chip deselected: the next access starts with an opcode. */
		ee->reading = false;
		ee->nbits = 0;
		ee->shift = 0;
		ee->dout = false;
	} else if (rising) {
		ee_clock(ee, dev->eeprom, (val & E1000_EECD_DI) != 0);
	}
	ee->eecd = val & E1000_EECD_WRITABLE;
}

/* EERD: a read started by START completes at once. */
uint32_t e1000_eerd_write(struct e1000 *dev, uint32_t val)
{
	unsigned addr = (val >> E1000_EERD_ADDR_SHIFT) & 0xff;
	uint32_t data = addr < E1000_EEPROM_WORDS ? dev->eeprom[addr] : 0;

	if (!(val & E1000_EERD_START))
		return val & ~E1000_EERD_DONE;
	return (val & (0xffu << E1000_EERD_ADDR_SHIFT)) | E1000_EERD_DONE |
	       data << E1000_EERD_DATA_SHIFT;
}

/* PHY registers of a Marvell 88E1011 with the link up at 1000 full, negotiation done. */
enum {
	PHY_CTRL = 0, PHY_STATUS = 1, PHY_ID1 = 2, PHY_ID2 = 3, PHY_AUTONEG_ADV = 4,
	PHY_LP_ABILITY = 5, PHY_AUTONEG_EXP = 6, PHY_1000T_CTRL = 9, PHY_1000T_STATUS = 10,
	PHY_EXT_STATUS = 15, M88_SPEC_CTRL = 0x10, M88_SPEC_STATUS = 0x11, M88_EXT_SPEC_CTRL = 0x14,
};

#define PHY_CTRL_RESET 0x8000
#define PHY_CTRL_RESTART_AN 0x0200

void e1000_phy_reset(struct e1000 *dev)
{
	memset(dev->phy, 0, sizeof(dev->phy));
	dev->phy[PHY_CTRL] = 0x1140;		/* autoneg on, full duplex, 1000 */
	dev->phy[PHY_STATUS] = 0x796d;		/* link up, autoneg complete, extended status */
	dev->phy[PHY_ID1] = 0x0141;
	dev->phy[PHY_ID2] = 0x0c20;		/* M88E1011_I_PHY_ID, revision 0 */
	dev->phy[PHY_AUTONEG_ADV] = 0x0de1;
	dev->phy[PHY_LP_ABILITY] = 0x45e1;	/* partner: everything, pause, acknowledged */
	dev->phy[PHY_AUTONEG_EXP] = 0x000f;
	dev->phy[PHY_1000T_CTRL] = 0x0e00;
	dev->phy[PHY_1000T_STATUS] = 0x3c00;	/* partner 1000 full, local and remote OK */
	dev->phy[PHY_EXT_STATUS] = 0x3000;
	dev->phy[M88_SPEC_CTRL] = 0x0360;
	dev->phy[M88_SPEC_STATUS] = 0xac00;	/* 1000, full duplex, resolved, link */
	dev->phy[M88_EXT_SPEC_CTRL] = 0x0d60;
}

static bool phy_read_only(unsigned reg)
{
	return reg == PHY_STATUS || reg == PHY_ID1 || reg == PHY_ID2 || reg == PHY_LP_ABILITY ||
	       reg == PHY_AUTONEG_EXP || reg == PHY_1000T_STATUS || reg == PHY_EXT_STATUS ||
	       reg == M88_SPEC_STATUS;
}

/* MDIC: one PHY register read or write, done by the time the driver polls READY. */
void e1000_mdic_write(struct e1000 *dev, uint32_t val)
{
	unsigned reg = (val >> E1000_MDIC_REG_SHIFT) & 0x1f;
	unsigned phy = (val >> E1000_MDIC_PHY_SHIFT) & 0x1f;
	uint32_t out = val & ~(E1000_MDIC_ERROR | E1000_MDIC_READY);

	if (phy != E1000_PHY_ADDR) {
		out |= E1000_MDIC_ERROR;
	} else if (val & E1000_MDIC_OP_READ) {
		out = (out & ~0xffffu) | dev->phy[reg];
	} else if (val & E1000_MDIC_OP_WRITE) {
		uint16_t data = (uint16_t)val;

		if (reg == PHY_CTRL) {
			if (data & PHY_CTRL_RESET) {
				e1000_phy_reset(dev);
				data = dev->phy[PHY_CTRL];
			}
			/* Negotiation restarts and completes in no time. */
			dev->phy[reg] = data & ~(PHY_CTRL_RESET | PHY_CTRL_RESTART_AN);
		} else if (!phy_read_only(reg)) {
			dev->phy[reg] = data;
		}
	}
	e1000_set_reg(dev, E1000_MDIC, out | E1000_MDIC_READY);
	if (val & E1000_MDIC_INT_EN)
		e1000_raise(dev, E1000_ICR_MDAC);
}
