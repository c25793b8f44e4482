/* The 82540EM's registers and bits the model implements (offsets into the MMIO BAR). */
#ifndef CAPSULE_E1000_REGS_H
#define CAPSULE_E1000_REGS_H

#include "nic/e1000.h"

enum {
	E1000_CTRL = 0x0000, E1000_STATUS = 0x0008, E1000_EECD = 0x0010, E1000_EERD = 0x0014,
	E1000_CTRL_EXT = 0x0018, E1000_MDIC = 0x0020, E1000_FCAL = 0x0028, E1000_FCAH = 0x002c,
	E1000_FCT = 0x0030, E1000_VET = 0x0038, E1000_ICR = 0x00c0, E1000_ITR = 0x00c4,
	E1000_ICS = 0x00c8, E1000_IMS = 0x00d0, E1000_IMC = 0x00d8, E1000_RCTL = 0x0100,
	E1000_FCTTV = 0x0170, E1000_TXCW = 0x0178, E1000_RXCW = 0x0180, E1000_TCTL = 0x0400,
	E1000_TIPG = 0x0410, E1000_LEDCTL = 0x0e00, E1000_PBA = 0x1000, E1000_FCRTL = 0x2160,
	E1000_FCRTH = 0x2168, E1000_RDBAL = 0x2800, E1000_RDBAH = 0x2804, E1000_RDLEN = 0x2808,
	E1000_RDH = 0x2810, E1000_RDT = 0x2818, E1000_RDTR = 0x2820, E1000_RXDCTL = 0x2828,
	E1000_RADV = 0x282c, E1000_RSRPD = 0x2c00, E1000_TDBAL = 0x3800, E1000_TDBAH = 0x3804,
	E1000_TDLEN = 0x3808, E1000_TDH = 0x3810, E1000_TDT = 0x3818, E1000_TIDV = 0x3820,
	E1000_TXDCTL = 0x3828, E1000_TADV = 0x382c, E1000_STATS = 0x4000, E1000_STATS_END = 0x4100,
	E1000_GPRC = 0x4074, E1000_BPRC = 0x4078, E1000_MPRC = 0x407c, E1000_GPTC = 0x4080,
	E1000_GORCL = 0x4088, E1000_GORCH = 0x408c, E1000_GOTCL = 0x4090, E1000_GOTCH = 0x4094,
	E1000_TPR = 0x40d0, E1000_TPT = 0x40d4,
	E1000_RXCSUM = 0x5000, E1000_MTA = 0x5200, E1000_RA = 0x5400, E1000_VFTA = 0x5600,
	E1000_WUC = 0x5800, E1000_WUFC = 0x5808, E1000_MANC = 0x5820,
};

#define E1000_RA_ENTRIES 16
#define E1000_MTA_WORDS 128
#define E1000_RAH_AV (1u << 31)

#define E1000_CTRL_FD (1u << 0)
#define E1000_CTRL_ASDE (1u << 5)
#define E1000_CTRL_SLU (1u << 6)
#define E1000_CTRL_SPD_1000 (2u << 8)
#define E1000_CTRL_RST (1u << 26)
#define E1000_CTRL_VME (1u << 30)
#define E1000_CTRL_PHY_RST (1u << 31)

#define E1000_STATUS_FD (1u << 0)
#define E1000_STATUS_LU (1u << 1)
#define E1000_STATUS_SPEED_1000 (2u << 6)

#define E1000_EECD_SK (1u << 0)
#define E1000_EECD_CS (1u << 1)
#define E1000_EECD_DI (1u << 2)
#define E1000_EECD_DO (1u << 3)
#define E1000_EECD_REQ (1u << 6)
#define E1000_EECD_GNT (1u << 7)
#define E1000_EECD_PRES (1u << 8)
#define E1000_EECD_WRITABLE (E1000_EECD_SK | E1000_EECD_CS | E1000_EECD_DI | E1000_EECD_REQ | \
			     (3u << 4))

#define E1000_EERD_START (1u << 0)
#define E1000_EERD_DONE (1u << 4)
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_DATA_SHIFT 16

#define E1000_MDIC_REG_SHIFT 16
#define E1000_MDIC_PHY_SHIFT 21
#define E1000_MDIC_OP_WRITE (1u << 26)
#define E1000_MDIC_OP_READ (1u << 27)
#define E1000_MDIC_READY (1u << 28)
#define E1000_MDIC_INT_EN (1u << 29)
#define E1000_MDIC_ERROR (1u << 30)
#define E1000_PHY_ADDR 1	/* where the 82540's internal PHY answers */

/* Interrupt causes: ICR, ICS, IMS, IMC. */
#define E1000_ICR_TXDW (1u << 0)
#define E1000_ICR_TXQE (1u << 1)
#define E1000_ICR_LSC (1u << 2)
#define E1000_ICR_RXDMT0 (1u << 4)
#define E1000_ICR_RXO (1u << 6)
#define E1000_ICR_RXT0 (1u << 7)
#define E1000_ICR_MDAC (1u << 9)
#define E1000_ICR_INT_ASSERTED (1u << 31)
#define E1000_ICR_CAUSES 0x0001ffffu

#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_UPE (1u << 3)
#define E1000_RCTL_MPE (1u << 4)
#define E1000_RCTL_LPE (1u << 5)
#define E1000_RCTL_RDMTS_SHIFT 8
#define E1000_RCTL_MO_SHIFT 12
#define E1000_RCTL_BAM (1u << 15)
#define E1000_RCTL_BSIZE_SHIFT 16
#define E1000_RCTL_BSEX (1u << 25)
#define E1000_RCTL_SECRC (1u << 26)

#define E1000_TCTL_EN (1u << 1)

/* Descriptor command bits (the byte at offset 11 of every transmit descriptor). */
#define E1000_TXD_EOP 0x01
#define E1000_TXD_IFCS 0x02
#define E1000_TXD_IC 0x04	/* legacy: insert checksum */
#define E1000_TXD_TSE 0x04	/* extended: TCP segmentation */
#define E1000_TXD_RS 0x08
#define E1000_TXD_RPS 0x10
#define E1000_TXD_DEXT 0x20
#define E1000_TXD_VLE 0x40
#define E1000_TXD_DD 0x01	/* status byte, offset 12 */
#define E1000_TXD_DTYP_CTX 0x0
#define E1000_TXD_DTYP_DATA 0x1
#define E1000_TUCMD_TCP 0x01
#define E1000_TUCMD_IP 0x02
#define E1000_TUCMD_TSE 0x04
#define E1000_POPTS_IXSM 0x01
#define E1000_POPTS_TXSM 0x02

#define E1000_RXD_DD 0x01
#define E1000_RXD_EOP 0x02
#define E1000_RXD_VP 0x08

#define E1000_DESC_LEN 16u

static inline uint32_t e1000_reg(const struct e1000 *dev, unsigned off)
{
	return dev->regs[off / 4];
}

static inline void e1000_set_reg(struct e1000 *dev, unsigned off, uint32_t v)
{
	dev->regs[off / 4] = v;
}

/* A ring's guest address from its BAL/BAH pair: 16-byte aligned, as the hardware reads it. */
static inline uint64_t e1000_ring_base(const struct e1000 *dev, unsigned bal)
{
	return ((uint64_t)e1000_reg(dev, bal + 4) << 32 | e1000_reg(dev, bal)) & ~0xfull;
}

/* Descriptors in a ring of LEN bytes: a multiple of 128 bytes, at most 1 MiB. */
static inline uint32_t e1000_ring_entries(const struct e1000 *dev, unsigned len_reg)
{
	return (e1000_reg(dev, len_reg) & 0xfff80u) / E1000_DESC_LEN;
}

/* e1000.c: raise causes and recompute the INTx level. */
void e1000_raise(struct e1000 *dev, uint32_t causes);
void e1000_update_irq(struct e1000 *dev);

/* e1000_eeprom.c: EEPROM contents, Microwire port, EERD, PHY over MDIC. */
void e1000_eeprom_fill(uint16_t *eeprom, const uint8_t mac[6]);
uint32_t e1000_eecd_read(struct e1000 *dev);
void e1000_eecd_write(struct e1000 *dev, uint32_t val);
uint32_t e1000_eerd_write(struct e1000 *dev, uint32_t val);
void e1000_phy_reset(struct e1000 *dev);
void e1000_mdic_write(struct e1000 *dev, uint32_t val);

/* e1000.c: count a good frame of LEN bytes in the statistics registers (RX: received). */
void e1000_count(struct e1000 *dev, bool rx, const uint8_t *dst, uint32_t len);

/* e1000_tx.c: the guest wrote TDT. */
void e1000_tx_run(struct e1000 *dev);

#endif
