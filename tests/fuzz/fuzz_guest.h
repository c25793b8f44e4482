/* The guest side of the device fuzz targets: RAM, one ring area per queue, chains and driver steps from the input. */
#ifndef CAPSULE_FUZZ_GUEST_H
#define CAPSULE_FUZZ_GUEST_H

#include <stdlib.h>

#include "fake_ring.h"
#include "fuzz_input.h"
#include "virtio_driver.h"

/* Queue Q's rings, room for 256 entries: descriptors at Q * STRIDE, avail +0x1000, used +0x1400. */
#define FG_STRIDE 0x2000u
#define FG_AVAIL 0x1000u
#define FG_USED 0x1400u
#define FG_SEGS_MAX 160		/* segments in one posted chain: more than any device takes */
#define FG_CFG 0x100		/* config space in the register window */

struct fuzz_guest {
	uint8_t *ram;
	uint64_t ram_size;
	struct guest_mem gm;
	struct virtio_mmio_dev *dev;
	unsigned nqueues;
	struct fake_ring q[VIRTIO_MMIO_QUEUES_MAX];	/* size 0: not set up by the driver */
	uint64_t rings[VIRTIO_MMIO_QUEUES_MAX][3];	/* where the driver put them: desc, avail, used */
	uint64_t bufs, next_buf;	/* buffers and indirect tables from here to the end, wrapping */
	bool scribbled;			/* the guest wrote over its rings: used entries may be junk */
	unsigned irqs;
};

/* Guest actions any device target takes from its script (fg_generic_op). */
enum fg_op {
	FG_WRITE,	/* u16 address / 8, u8 length, bytes: the guest rewrites its RAM */
	FG_BUMP,	/* u8 queue, u8 n: avail->idx += n over whatever the ring holds */
	FG_REG,		/* u8 register / 4, u32 value: any register write, QUEUE_NOTIFY included */
	FG_CONFIG,	/* u8 offset, u8 size: a config-space read */
	FG_READ_USED,	/* u8 queue: the driver reads the used ring */
	FG_READ_REG,	/* u8 register / 4: any register read, interrupt status included */
	FG_OPS
};

static inline uint64_t fg_ring(unsigned q)
{
	return (uint64_t)q * FG_STRIDE;
}

static inline void fg_raise_irq(void *opaque)
{
	((struct fuzz_guest *)opaque)->irqs++;
}

/* Once per process: RAM_SIZE bytes of RAM, NQUEUES ring areas, buffers after them. */
static inline void fg_init(struct fuzz_guest *g, uint64_t ram_size, unsigned nqueues)
{
	g->ram = aligned_alloc(4096, ram_size);
	g->ram_size = ram_size;
	guest_mem_init_at(&g->gm, g->ram, ram_size);
	g->nqueues = nqueues;
	g->bufs = fg_ring(nqueues);
}

/* Every input starts from zeroed RAM and a driver that knows nothing. */
static inline void fg_clear(struct fuzz_guest *g, struct virtio_mmio_dev *dev)
{
	memset(g->ram, 0, g->ram_size);
	memset(g->q, 0, sizeof(g->q));
	g->dev = dev;
	g->next_buf = g->bufs;
	g->scribbled = false;
	g->irqs = 0;
}

/* LEN bytes for a buffer, 16-aligned; wraps to the start, and past RAM when LEN cannot fit. */
static inline uint64_t fg_alloc(struct fuzz_guest *g, uint32_t len)
{
	uint64_t at;

	if (len > g->ram_size - g->next_buf)
		g->next_buf = g->bufs;
	at = g->next_buf;
	g->next_buf += ((uint64_t)len + 15) & ~15ull;
	if (g->next_buf > g->ram_size)
		g->next_buf = g->bufs;
	return at;
}

/* Write LEN bytes at guest address AT, as much of them as lies in RAM. */
static inline void fg_put(struct fuzz_guest *g, uint64_t at, const void *src, size_t len)
{
	if (at < g->ram_size)
		memcpy(g->ram + at, src, len < g->ram_size - at ? len : g->ram_size - at);
}

/*
 * Post the N segments S as one chain on queue Q: straight in the ring, or
 * (INDIRECT) in a table the one ring descriptor points to. Returns the head.
 */
static inline uint16_t fg_post(struct fuzz_guest *g, unsigned q, const struct seg *s, unsigned n,
			       bool indirect)
{
	uint8_t *desc = g->ram + g->rings[q][0], *avail = g->ram + g->rings[q][1];
	struct vring_desc t[FG_SEGS_MAX];
	struct seg table;
	uint16_t head;

	if (!indirect || !n)
		return fake_ring_post(&g->q[q], desc, avail, s, n);
	for (unsigned i = 0; i < n; i++)
		t[i] = (struct vring_desc){ .addr = s[i].addr, .len = s[i].len,
					    .flags = (s[i].write ? VRING_DESC_F_WRITE : 0) |
						     (i + 1 < n ? VRING_DESC_F_NEXT : 0),
					    .next = (uint16_t)(i + 1) };
	table = (struct seg){ fg_alloc(g, n * 16), n * 16, false };
	fg_put(g, table.addr, t, n * sizeof(t[0]));
	head = fake_ring_post(&g->q[q], desc, avail, &table, 1);
	((struct vring_desc *)desc)[head].flags = VRING_DESC_F_INDIRECT;
	return head;
}

/*
 * Whether the driver can work the rings of queue Q, SIZE entries: aligned as
 * the spec asks (the device refuses the others) and inside RAM.
 */
static inline bool fg_rings_usable(const struct fuzz_guest *g, unsigned q, uint16_t size)
{
	const uint64_t len[3] = { 16u * size, 6u + 2u * size, 6u + 8u * size };
	const uint64_t align[3] = { 16, 2, 4 };

	for (int i = 0; i < 3; i++)
		if (g->rings[q][i] % align[i] || g->rings[q][i] > g->ram_size ||
		    len[i] > g->ram_size - g->rings[q][i])
			return false;
	return true;
}

/*
 * The driver's probe up to DRIVER_OK (virtio_driver.h): FEATURES as given
 * (the transport drops what it did not offer), then each queue whose entry
 * in SIZES (at most 512) is not 0, in its ring area: at the usual offsets,
 * or at the three of LAYOUT (desc, avail, used), which may overlap and
 * misalign. Returns the status.
 */
static inline uint32_t fg_bring_up(struct fuzz_guest *g, uint64_t features, const uint16_t *sizes,
				   const uint16_t *layout)
{
	static const uint16_t usual[3] = { 0, FG_AVAIL, FG_USED };
	const uint16_t *at;

	vdrv_negotiate(g->dev, features);
	memset(g->q, 0, sizeof(g->q));
	/* Rings that overlap make the used ring junk to the driver. */
	g->scribbled |= layout != NULL;
	for (unsigned q = 0; q < g->nqueues; q++) {
		/* Fresh rings, as a driver allocates them: nothing of the last device's use. */
		memset(g->ram + fg_ring(q), 0, FG_STRIDE);
		at = layout ? layout : usual;
		for (int i = 0; i < 3; i++)
			g->rings[q][i] = fg_ring(q) + at[i];
		if (!sizes[q])
			continue;
		vdrv_setup_queue(g->dev, q, sizes[q], g->rings[q][0], g->rings[q][1], g->rings[q][2]);
		g->q[q].size = fg_rings_usable(g, q, sizes[q]) ? sizes[q] : 0;
	}
	vdrv_wr(g->dev, VIRTIO_MMIO_STATUS, vdrv_rd(g->dev, VIRTIO_MMIO_STATUS) |
					     VIRTIO_CONFIG_S_DRIVER_OK);
	return vdrv_rd(g->dev, VIRTIO_MMIO_STATUS);
}

/* OP_UP's layout: u8, bit 0 set: three u16 offsets in each queue's ring area follow (LAYOUT). */
static inline const uint16_t *fg_layout(struct fuzz_in *s, uint16_t layout[3])
{
	if (!(fin_u8(s) & 1))
		return NULL;
	for (int i = 0; i < 3; i++)
		layout[i] = fin_u16(s);
	return layout;
}

/* The driver reads queue Q's used ring: every entry names a chain of the queue. */
static inline void fg_read_used(struct fuzz_guest *g, unsigned q)
{
	uint8_t *used = g->ram + g->rings[q][2];
	uint16_t id;
	uint32_t len;

	if (!g->q[q].size)
		return;
	for (unsigned n = 0; n < g->q[q].size && fake_ring_used_next(&g->q[q], used, &id, &len); n++)
		FUZZ_CHECK(g->scribbled || id < g->q[q].size);
}

/* The guest rewrites up to 255 bytes of its RAM, anywhere 8-aligned: rings, tables, buffers. */
static inline void fg_op_write(struct fuzz_guest *g, struct fuzz_in *s)
{
	uint64_t at = (uint64_t)fin_u16(s) * 8;
	uint8_t len = fin_u8(s), buf[255];

	fin_bytes(s, buf, len);
	fg_put(g, at, buf, len);
	g->scribbled |= len && at < g->bufs;
}

/* The guest makes N more entries of queue Q available, whatever its ring holds there. */
static inline void fg_op_bump(struct fuzz_guest *g, struct fuzz_in *s)
{
	unsigned q = fin_u8(s) % g->nqueues;
	uint8_t n = fin_u8(s);
	struct vring_avail *av = (struct vring_avail *)(g->ram + g->rings[q][1]);

	if (!g->q[q].size)
		return;
	g->q[q].avail_idx += n;
	__atomic_store_n(&av->idx, g->q[q].avail_idx, __ATOMIC_RELEASE);
}

/* Run guest action OP (enum fg_op) with its arguments from S. */
static inline void fg_generic_op(struct fuzz_guest *g, enum fg_op op, struct fuzz_in *s)
{
	uint8_t a;

	switch (op) {
	case FG_WRITE:
		fg_op_write(g, s);
		break;
	case FG_BUMP:
		fg_op_bump(g, s);
		break;
	case FG_REG:
		/* The register window but config space: 0x00..0xfc. */
		a = fin_u8(s);
		vdrv_wr(g->dev, (uint64_t)(a % (VIRTIO_MMIO_CONFIG / 4)) * 4, fin_u32(s));
		break;
	case FG_CONFIG:
		a = fin_u8(s);
		vdrv_read(g->dev, FG_CFG + a, 1u << (fin_u8(s) % 4));
		break;
	case FG_READ_USED:
		fg_read_used(g, fin_u8(s) % g->nqueues);
		break;
	case FG_READ_REG:
		vdrv_rd(g->dev, (uint64_t)(fin_u8(s) % (VIRTIO_MMIO_CONFIG / 4)) * 4);
		break;
	default:
		break;
	}
}

#endif
