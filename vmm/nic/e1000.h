/* An Intel 82540EM (e1000) NIC: its PCI identity, its two BARs and the model's entry points. */
#ifndef CAPSULE_E1000_H
#define CAPSULE_E1000_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "nic/nic_host.h"

/* What the PCI function presents: the IDs Linux's e1000 driver binds to. */
#define E1000_PCI_VENDOR 0x8086
#define E1000_PCI_DEVICE 0x100e		/* 82540EM */
#define E1000_PCI_REVISION 0x03
#define E1000_PCI_SUBSYS_VENDOR 0x8086
#define E1000_PCI_SUBSYS_ID 0x001e
#define E1000_PCI_CLASS 0x020000	/* network controller, Ethernet */
#define E1000_PCI_INT_PIN 1		/* INTA# */
#define E1000_BAR_MMIO 0		/* 32-bit non-prefetchable memory */
#define E1000_MMIO_SIZE 0x20000u	/* 128 KiB */
#define E1000_BAR_IO 1			/* IOADDR at +0, IODATA at +4 */
#define E1000_IO_SIZE 0x40u

/* Register space the model keeps (the rest reads 0): up to the wake-up registers. */
#define E1000_REG_SPACE 0x5a00u
#define E1000_EEPROM_WORDS 64

/* What the model dropped and why; never seen by the guest, for messages and tests. */
struct e1000_stats {
	uint64_t tx_frames, rx_frames;
	uint64_t tx_bad_ring;		/* TDT/TDH beyond the ring, ring outside RAM */
	uint64_t tx_bad_desc;		/* buffer outside RAM, unknown type, frame too long */
	uint64_t tx_zero_len;		/* zero-length buffers (skipped) */
	uint64_t tx_bad_ctx;		/* checksum/TSO offsets or MSS that make no sense */
	uint64_t tx_dropped;		/* frames not sent: any of the above, or the backend refused */
	uint64_t rx_filtered;		/* not for us: address filters */
	uint64_t rx_dropped;		/* receiver off, bad header from backend, backend error */
	uint64_t rx_bad_desc;		/* rx buffer outside RAM */
};

/* The serial EEPROM's bit-banged Microwire interface (EECD). */
struct e1000_eeprom_port {
	uint32_t eecd;		/* SK, CS, DI, REQ as last written */
	uint32_t shift;		/* bits clocked in so far */
	unsigned nbits;
	bool reading;		/* opcode READ and address taken: shifting data out */
	unsigned addr;
	unsigned out_bit;	/* bit of the word DO shows: 15 down to 0 */
	bool dout;
};

/* The offload context the last context descriptor set (one context on the 82540). */
struct e1000_tx_ctx {
	uint8_t ipcss, ipcso;
	uint16_t ipcse;
	uint8_t tucss, tucso;
	uint16_t tucse;
	uint32_t paylen;
	uint8_t tucmd;		/* TCP, IP, TSE */
	uint8_t hdr_len;
	uint16_t mss;
};

/* The frame being gathered from data descriptors until EOP. */
struct e1000_tx_frame {
	uint8_t *buf;		/* the frame, with 4 bytes to spare for a VLAN tag */
	uint32_t len;
	bool started, bad;
	bool legacy;		/* the first descriptor was legacy */
	bool tse;		/* TCP segmentation of this frame */
	uint8_t popts;		/* IXSM/TXSM of an extended data descriptor */
	uint8_t cmd;		/* the first descriptor's command byte */
	uint8_t css, cso;	/* legacy checksum start and offset */
};

struct e1000 {
	pthread_mutex_t lock;	/* vCPU register accesses against the I/O thread's receive */
	struct nic_host host;
	uint8_t mac[6];
	uint32_t regs[E1000_REG_SPACE / 4];
	uint16_t eeprom[E1000_EEPROM_WORDS];
	uint16_t phy[32];
	struct e1000_eeprom_port ee;
	uint32_t ioaddr;	/* the I/O BAR's IOADDR */
	bool irq_level;
	struct e1000_tx_ctx ctx;
	struct e1000_tx_frame tx;
	uint8_t *rxbuf;		/* one frame from the backend, header first */
	uint32_t rx_pending;	/* bytes of a frame in rxbuf still waiting for descriptors */
	bool rx_stalled;	/* receive stopped for want of descriptors: rx_wake on RDT */
	/*
	 * Optional: called (with the device lock held) when the guest gives
	 * descriptors after e1000_rx_ready returned false, so the I/O thread
	 * watches be->fds[0] again.
	 */
	void (*rx_wake)(void *opaque);
	void *hooks_opaque;	/* for rx_wake and arm_timer */
	/*
	 * Optional, for interrupt throttling (ITR): arm a one-shot timer for
	 * DEADLINE (CLOCK_MONOTONIC ns) that calls e1000_timer. Without it
	 * ITR is ignored and every cause interrupts at once. Called with the
	 * device lock held, like rx_wake.
	 */
	void (*arm_timer)(void *opaque, uint64_t deadline);
	uint64_t (*now)(void);	/* CLOCK_MONOTONIC ns; tests put their own */
	uint64_t last_irq;	/* when the line last went up */
	bool timer_armed;
	struct e1000_stats stats;
};

/* Set up DEV with MAC on HOST (copied); asks the backend for no receive offloads. 0 or -errno. */
int e1000_init(struct e1000 *dev, const struct nic_host *host, const uint8_t mac[6]);
void e1000_free(struct e1000 *dev);

/* Power-on state: what CTRL.RST also does. */
void e1000_reset(struct e1000 *dev);

/* The throttling timer armed through arm_timer expired: a held interrupt may go up now. */
void e1000_timer(struct e1000 *dev);

/* The BARs, as io_bus handlers: OPAQUE is the struct e1000. */
void e1000_mmio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);
void e1000_pio(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

/*
 * The I/O thread: be->fds[0] is readable. Moves frames into the receive ring
 * (a budget of them per call). Returns false when the ring is full and the
 * fd should not be watched until rx_wake, or when the backend failed for
 * good (it is not watched again).
 */
bool e1000_rx_ready(struct e1000 *dev);

#endif
