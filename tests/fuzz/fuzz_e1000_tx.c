/*
 * Fuzz target: the e1000 model's transmit path (and what shares its state:
 * registers, receive), with guest RAM, descriptors and register writes from
 * the input. The fake backend (tests/unit/e1000_fake.h) aborts on any frame
 * a tap would refuse: offsets outside the frame, offloads it lacks.
 *
 * Input: u8 backend offloads (NET_OFFLOAD_*), u8 misbehaviour (bit 0: sends
 * fail with -EAGAIN), then ops until the input ends, each a u8 (enum op):
 *   OP_REG   u16 register / 4, u32 value     any register write
 *   OP_RAM   u16 address / 4, u8 n, n bytes  the guest rewrites its RAM
 *   OP_DESC  u8 index, 16 bytes              a transmit descriptor of the ring
 *   OP_TDT   u16 value                       TDT written: transmit runs
 *   OP_READ  u16 register / 4                any register read (ICR clears)
 *   OP_RX    u16 length, u8 fill, u8 kind    a frame arrives (kind: to us, broadcast, other)
 *   OP_PIO   u8 offset, u8 size, u32, u8 w   an I/O BAR access
 *   OP_TIME  u16 n                           the clock moves n * 256 ns; an armed
 *                                            throttling timer fires when due
 */
#include "e1000_fake.h"
#include "fuzz_input.h"

#define RING 0x1000u		/* 32 transmit descriptors */
#define RX_RING 0x2000u		/* 32 receive descriptors, buffers from RX_BUFS */
#define RX_BUFS 0x10000u
#define OPS_MAX 512

enum op { OP_REG, OP_RAM, OP_DESC, OP_TDT, OP_READ, OP_RX, OP_PIO, OP_TIME, OPS };

/* A clock of the input's own and the ITR timer it arms (one at a time, like a timerfd). */
static uint64_t clock_ns, deadline;

static uint64_t fake_clock(void)
{
	return clock_ns;
}

static void fake_arm(void *opaque, uint64_t at)
{
	deadline = at;
}

static void setup(struct e1000_fake *f)
{
	for (unsigned i = 0; i < 32; i++) {
		uint64_t a = RX_BUFS + 0x800ull * i;

		memcpy(f->ram + RX_RING + 16 * i, &a, 8);
	}
	ef_wr(f, E1000_TDBAL, RING);
	ef_wr(f, E1000_TDLEN, 32 * 16);
	ef_wr(f, E1000_TCTL, E1000_TCTL_EN);
	ef_wr(f, E1000_RDBAL, RX_RING);
	ef_wr(f, E1000_RDLEN, 32 * 16);
	ef_wr(f, E1000_RDT, 31);
	ef_wr(f, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM);
	ef_wr(f, E1000_IMS, 0xffff);
}

static void op_rx(struct e1000_fake *f, struct fuzz_in *in)
{
	static uint8_t frame[NET_FRAME_MAX];
	uint16_t len = fin_u16(in);
	uint8_t fill = fin_u8(in), kind = fin_u8(in) % 3;

	memset(frame, fill, len);
	if (len >= 6 && kind == 0)
		memcpy(frame, ef_mac, 6);
	else if (len >= 6 && kind == 1)
		memset(frame, 0xff, 6);
	if (f->nrx < EF_RX_QUEUE)
		ef_queue_rx(f, frame, len);
	e1000_rx_ready(&f->dev);
}

static void op_pio(struct e1000_fake *f, struct fuzz_in *in)
{
	uint8_t off = fin_u8(in) % 8, size = (uint8_t)(1u << (fin_u8(in) % 3));
	uint32_t v = fin_u32(in);
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	e1000_pio(&f->dev, off, b, size, fin_u8(in) & 1);
}

static void run_op(struct e1000_fake *f, enum op op, struct fuzz_in *in)
{
	uint8_t buf[255];
	uint32_t at, v;
	uint8_t n;

	switch (op) {
	case OP_REG:
		at = (uint32_t)fin_u16(in) * 4 % E1000_REG_SPACE;
		ef_wr(f, at, fin_u32(in));
		break;
	case OP_RAM:
		at = (uint32_t)fin_u16(in) * 4;
		n = fin_u8(in);
		fin_bytes(in, buf, n);
		if (at < EF_RAM)
			memcpy(f->ram + at, buf, n < EF_RAM - at ? n : EF_RAM - at);
		break;
	case OP_DESC:
		at = RING + 16u * (fin_u8(in) % 32);
		fin_bytes(in, f->ram + at, 16);
		break;
	case OP_TDT:
		ef_wr(f, E1000_TDT, fin_u16(in));
		break;
	case OP_READ:
		v = ef_rd(f, (uint32_t)fin_u16(in) * 4 % E1000_REG_SPACE);
		(void)v;
		break;
	case OP_RX:
		op_rx(f, in);
		break;
	case OP_PIO:
		op_pio(f, in);
		break;
	case OP_TIME:
		clock_ns += (uint64_t)fin_u16(in) * 256;
		if (f->dev.timer_armed && clock_ns >= deadline)
			e1000_timer(&f->dev);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct e1000_fake f;
	bool want;

	ef_init(&f, fin_u8(&in) & 0x1f);
	f.send_result = fin_u8(&in) & 1 ? -EAGAIN : 0;
	clock_ns = 1u << 30;
	f.dev.now = fake_clock;
	f.dev.arm_timer = fake_arm;
	setup(&f);
	for (unsigned i = 0; i < OPS_MAX && !fin_done(&in); i++)
		run_op(&f, (enum op)(fin_u8(&in) % OPS), &in);
	/* The line follows the causes, whatever happened, but while throttling holds it. */
	want = (f.dev.regs[E1000_ICR / 4] & f.dev.regs[E1000_IMS / 4] & E1000_ICR_CAUSES) != 0;
	if (f.irq != want && !(want && f.dev.timer_armed))
		abort();
	ef_free(&f);
	return 0;
}
