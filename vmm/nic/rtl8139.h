/* The Realtek RTL8139C+ NIC (10EC:8139 revision 0x20, QEMU's chip, Linux's 8139cp), bus-independent. */
#ifndef CAPSULE_RTL8139_H
#define CAPSULE_RTL8139_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "nic/nic_host.h"

/*
 * PCI identity. Revision 0x20 with TCR's hardware version bits saying
 * RTL-8139C+, as QEMU's: Linux gives it to 8139cp (8139too refuses 0x20 and
 * above), which drives C+ mode, descriptor rings as on the e1000. The chip
 * still does the plain RTL8139 mode (a receive ring buffer, four transmit
 * slots) for drivers that know only that one.
 */
#define RTL8139_VENDOR_ID	0x10ec
#define RTL8139_DEVICE_ID	0x8139
#define RTL8139_REVISION	0x20
#define RTL8139_CLASS		0x020000	/* network, Ethernet */
#define RTL8139_SUBSYS_VENDOR	0x10ec
#define RTL8139_SUBSYS_ID	0x8139
#define RTL8139_IRQ_PIN		1		/* INTA# */
/* BAR0: the registers in I/O space; BAR1: the same registers in memory space. */
#define RTL8139_PIO_BAR		0
#define RTL8139_MMIO_BAR	1
#define RTL8139_REGS_SIZE	256u

/* TCR bits 30-26 and 23-22: the chip's version; 8139too's table calls these RTL-8139C+. */
#define RTL8139_TCR_HWVER	0x74800000u
#define RTL8139_TCR_HWVER_MASK	0x7cc00000u

/* Registers (byte offsets in either BAR). */
enum {
	RTL_IDR0 = 0x00, RTL_MAR0 = 0x08, RTL_TSD0 = 0x10, RTL_TSAD0 = 0x20, RTL_RBSTART = 0x30,
	RTL_CR = 0x37, RTL_CAPR = 0x38, RTL_CBR = 0x3a, RTL_IMR = 0x3c, RTL_ISR = 0x3e,
	RTL_TCR = 0x40, RTL_RCR = 0x44, RTL_TCTR = 0x48, RTL_MPC = 0x4c, RTL_9346CR = 0x50,
	RTL_CONFIG0 = 0x51, RTL_CONFIG1 = 0x52, RTL_MSR = 0x58, RTL_CONFIG3 = 0x59,
	RTL_CONFIG4 = 0x5a, RTL_MULINT = 0x5c, RTL_RERID = 0x5e, RTL_TSAD = 0x60,
	RTL_BMCR = 0x62, RTL_BMSR = 0x64, RTL_ANAR = 0x66, RTL_ANLPAR = 0x68, RTL_ANER = 0x6a,
	RTL_CONFIG5 = 0xd8,
	/* C+ mode: DTCCR overlays TSD0-1, the normal-priority TNPDS TSAD0-1, the high THPDS TSAD2-3. */
	RTL_DTCCR = 0x10, RTL_TNPDS = 0x20, RTL_THPDS = 0x28, RTL_TPPOLL = 0xd9, RTL_RMS = 0xda,
	RTL_CPCR = 0xe0, RTL_INTRMIT = 0xe2, RTL_RDSAR = 0xe4, RTL_ETTHR = 0xec,
};

/* CR */
enum { RTL_CR_BUFE = 0x01, RTL_CR_TE = 0x04, RTL_CR_RE = 0x08, RTL_CR_RST = 0x10 };
/* ISR and IMR */
enum {
	RTL_INT_ROK = 0x0001, RTL_INT_RER = 0x0002, RTL_INT_TOK = 0x0004, RTL_INT_TER = 0x0008,
	RTL_INT_RXOVW = 0x0010, RTL_INT_PUN = 0x0020, RTL_INT_FOVW = 0x0040,
	RTL_INT_LENCHG = 0x2000, RTL_INT_TIMEOUT = 0x4000, RTL_INT_SERR = 0x8000,
	RTL_INT_ALL = 0xe07f,
};
/* ISR and IMR in C+ mode: RXOVW's bit says "no receive descriptor". */
enum { RTL_INT_RDU = 0x0010 };
/* C+ Command Register (CPCR) */
enum { RTL_CPCR_TXON = 0x0001, RTL_CPCR_RXON = 0x0002, RTL_CPCR_RXCSUM = 0x0020 };
/* TPPoll: the normal-priority ring has frames (the high-priority one is not modelled). */
enum { RTL_TPPOLL_NPQ = 0x40 };
/* DTCCR (low dword): the counters dump's start and busy bit; the address is 64-byte aligned. */
enum { RTL_DTCCR_CMD = 0x08, RTL_DTCCR_ADDR_MASK = ~0x3fu };
/* C+ descriptors: 16 bytes, opts1 (this), opts2, a 64-bit buffer address. */
enum {
	RTL_DESC_OWN = 1u << 31, RTL_DESC_EOR = 1u << 30, RTL_DESC_FS = 1u << 29,
	RTL_DESC_LS = 1u << 28,
	/* transmit opts1 */
	RTL_TXD_LGSEN = 1u << 27, RTL_TXD_MSS_SHIFT = 16, RTL_TXD_MSS_MASK = 0x7ff,
	RTL_TXD_ERR = 1u << 23, RTL_TXD_IPCS = 1u << 18, RTL_TXD_UDPCS = 1u << 17,
	RTL_TXD_TCPCS = 1u << 16, RTL_TXD_LEN = 0xffff,
	/* transmit opts2 */
	RTL_TXD_TAGC = 1u << 17,
	/* receive opts1 */
	RTL_RXD_MAR = 1u << 26, RTL_RXD_PAM = 1u << 25, RTL_RXD_BAR = 1u << 24,
	RTL_RXD_LEN = 0x1fff,
};
#define RTL_DESC_SIZE		16u
#define RTL8139_CP_RING_MAX	1024u	/* descriptors a ring may hold: one without EOR wraps here */
#define RTL8139_CP_TX_MAX	(NET_FRAME_MAX - NET_HDR_LEN - 4)	/* a whole TSO segment; 4 for a tag */

/* TSD */
enum {
	RTL_TSD_SIZE = 0x1fff, RTL_TSD_OWN = 0x2000, RTL_TSD_TUN = 0x4000, RTL_TSD_TOK = 0x8000,
	RTL_TSD_ERTXTH = 0x3f0000, RTL_TSD_TABT = 0x40000000,
};
/* RCR */
enum {
	RTL_RCR_AAP = 0x01, RTL_RCR_APM = 0x02, RTL_RCR_AM = 0x04, RTL_RCR_AB = 0x08,
	RTL_RCR_WRAP = 0x80, RTL_RCR_RBLEN_SHIFT = 11,
};
/* Receive header status */
enum { RTL_RX_ROK = 0x0001, RTL_RX_BAR = 0x2000, RTL_RX_PAM = 0x4000, RTL_RX_MAR = 0x8000 };
/* 9346CR: operating mode in bits 7-6, EEPROM pins below. */
enum {
	RTL_EEM_MASK = 0xc0, RTL_EEM_AUTOLOAD = 0x40, RTL_EEM_PROGRAM = 0x80, RTL_EEM_CONFIG = 0xc0,
	RTL_EE_CS = 0x08, RTL_EE_SK = 0x04, RTL_EE_DI = 0x02, RTL_EE_DO = 0x01,
};

#define RTL8139_TX_SLOTS	4
#define RTL8139_TX_MAX		1792u	/* the largest frame the chip sends */
#define RTL8139_RX_MAX		1792u	/* the largest frame (without CRC) 8139too accepts */
#define RTL8139_RX_MIN		60u	/* shorter frames are padded, as on the wire */
#define RTL8139_RX_BUDGET	64u	/* frames taken from the backend per rx_ready call */
#define RTL8139_EEPROM_WORDS	64	/* a 93C46: 64 16-bit words, 6 address bits */

/* The serial EEPROM as the driver bit-bangs it through 9346CR. */
struct rtl8139_eeprom {
	uint16_t words[RTL8139_EEPROM_WORDS];
	uint8_t pins;		/* CS, SK, DI as last written */
	bool dout;
	uint8_t state;		/* enum in rtl8139_eeprom.c */
	uint8_t addr;
	uint16_t cmd;		/* bits shifted in since the start bit */
	unsigned nbits;
	uint16_t shift;		/* the word being shifted out */
	unsigned left;
};

/* Frames dropped and why: nothing the guest does stops the monitor, it only counts. */
struct rtl8139_stats {
	uint64_t tx_frames, tx_bad_size, tx_bad_addr, tx_backend_drops;
	uint64_t rx_frames, rx_filtered, rx_ring_full, rx_bad_size, rx_bad_addr, rx_errors;
	uint64_t tx_bad_desc, tx_bad_offload;	/* C+ mode */
};

/* C+ mode's state: where each ring is, and the frame being gathered from transmit descriptors. */
struct rtl8139_cplus {
	uint16_t cpcr, intrmit, rms;
	uint8_t etthr;
	uint32_t rdsar[2];	/* receive descriptors' address, low and high */
	unsigned rx_next, tx_next;	/* the descriptor each ring goes on at */
	/* The frame under way: its first descriptor's opts1 and opts2, its bytes so far. */
	bool tx_busy, tx_bad;
	uint32_t tx_opts1, tx_opts2, tx_len;
	uint8_t txbuf[RTL8139_CP_TX_MAX + 4];
};

struct rtl8139 {
	pthread_mutex_t lock;	/* vCPU threads (registers) against the I/O thread (receive) */
	struct nic_host host;
	uint8_t mac[6];		/* the EEPROM's, IDR's value after power-on */
	uint8_t idr[6], mar[8];
	uint32_t tsd[RTL8139_TX_SLOTS], tsad[RTL8139_TX_SLOTS];
	uint32_t rbstart, tcr, rcr, mpc;
	uint16_t capr, cbr, imr, isr, mulint, bmcr, anar;
	uint8_t cr, cfg9346, config1, config3, config4, config5;
	bool irq_level;
	bool rx_stalled;	/* the ring lacks room for a whole frame: the backend waits for rx_wake */
	/*
	 * Optional: called (device lock held, on the thread that freed ring
	 * space: CAPR, CR or RCR written, a reset) once receive may go on after
	 * rtl8139_rx_ready returned false, so the I/O thread watches
	 * be->fds[0] again. Without it, a full ring drops frames as the chip does.
	 */
	void (*rx_wake)(void *opaque);
	void *hooks_opaque;
	struct rtl8139_eeprom ee;
	struct rtl8139_stats stats;
	struct rtl8139_cplus cp;
	/* The I/O thread's receive buffer: net_hdr, frame, room to pad and add the CRC. */
	uint8_t rxbuf[NET_HDR_LEN + RTL8139_RX_MAX + 1];
};

/* Power-on state with MAC in the EEPROM; asks the backend for whole frames. 0 or -errno. */
int rtl8139_init(struct rtl8139 *dev, const struct nic_host *host, const uint8_t mac[6]);
/* Power-on reset (the VM's reset): every register, IDR reloaded from the EEPROM. */
void rtl8139_reset(struct rtl8139 *dev);
void rtl8139_destroy(struct rtl8139 *dev);
/* The register BARs, io_bus handlers (OPAQUE is the struct rtl8139). */
void rtl8139_pio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);
void rtl8139_mmio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);
/*
 * The I/O thread: host->be->fds[0] is readable. Takes at most
 * RTL8139_RX_BUDGET frames. Returns false when the ring has no room for a
 * whole frame and rx_wake is set: leave the backend unwatched until rx_wake,
 * so the host queues frames rather than the ring dropping them. False too
 * when the backend failed for good: it is not watched again.
 */
bool rtl8139_rx_ready(struct rtl8139 *dev);

#endif
