/*
 * libFuzzer target: the rtl8139 model, C and C+ mode, under a fuzzed guest
 * (register accesses, guest RAM: descriptors and frames) and fuzzed received frames.
 */
#include <errno.h>

#include "fuzz_input.h"
#include "nic/rtl8139.h"
#include "util/iov.h"

/*
 * The input: a stream of operations, each an OP byte and its fields.
 * OP % 6: 0 writes (OFF u8, VALUE u32) and 1 reads (OFF u8) a register,
 * OP bits 3-4 the width (1, 2, 4, 4), OP bit 7 the MMIO BAR instead of the
 * I/O BAR; 2 fills guest RAM (ADDR u16 in 2-byte steps, LEN u8, bytes);
 * 3 puts a frame on the fake tap (LEN u16 up to 2 KiB with the net_hdr, its
 * bytes) and runs the I/O thread's rx_ready; 4 resets the chip as the VM
 * would; 5 sets how the backend misbehaves (u8: FULL, RECV_ERROR, ENDLESS,
 * NO_OFFLOADS). The model must keep its invariants after every operation,
 * send only frames inside guest RAM (C mode) or its own buffer (C+ mode),
 * with offsets in the net_hdr that lie inside the frame and only the
 * offloads the backend has, and take at most its budget from the tap.
 */
enum { OP_WRITE, OP_READ, OP_RAM, OP_RX, OP_RESET, OP_BACKEND, OP_COUNT };
enum { SEND_FULL = 1, RECV_ERROR = 2, RECV_ENDLESS = 4, NO_OFFLOADS = 8 };
#define BACKEND_OFFLOADS (NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO_ECN)

#define RAM_SIZE (128u << 10)
#define FRAME_MAX 2048u

static struct rtl8139 chip;

static struct {
	struct net_backend be;
	struct guest_mem gm;
	uint8_t *ram;
	bool irq;
	unsigned misbehave, recv_calls;
	uint8_t frame[FRAME_MAX];
	size_t frame_len;
	bool frame_waiting;
} f;

static bool inside(const struct iovec *v, const uint8_t *base, size_t size)
{
	return (const uint8_t *)v->iov_base >= base && (const uint8_t *)v->iov_base + v->iov_len <= base + size;
}

/* The net_hdr's offsets inside the LEN-byte frame, and only offloads the backend has. */
static void check_hdr(const struct net_hdr *h, size_t len)
{
	if (h->flags & NET_HDR_NEEDS_CSUM) {
		FUZZ_CHECK(f.be.offloads & NET_OFFLOAD_CSUM);
		FUZZ_CHECK((size_t)h->csum_start + h->csum_offset + 2 <= len);
	}
	if (h->gso_type) {
		FUZZ_CHECK((h->gso_type & ~NET_GSO_ECN) == NET_GSO_TCPV4 && (f.be.offloads & NET_OFFLOAD_TSO4));
		FUZZ_CHECK(!(h->gso_type & NET_GSO_ECN) || (f.be.offloads & NET_OFFLOAD_TSO_ECN));
		FUZZ_CHECK(h->flags & NET_HDR_NEEDS_CSUM);
		FUZZ_CHECK(h->hdr_len < len && h->gso_size >= 8);
	}
}

static int fake_send(struct net_backend *be, unsigned q, const struct iovec *iov, unsigned n)
{
	static const struct net_hdr zero;
	size_t len;

	FUZZ_CHECK(q == 0 && n == 2 && iov[0].iov_len == NET_HDR_LEN);
	len = iov[1].iov_len;
	if (inside(&iov[1], f.ram, RAM_SIZE)) {	/* C mode: straight from a slot */
		FUZZ_CHECK(!memcmp(iov[0].iov_base, &zero, NET_HDR_LEN));
		FUZZ_CHECK(len > 0 && len <= RTL8139_TX_MAX);
	} else {
		FUZZ_CHECK(inside(&iov[1], chip.cp.txbuf, sizeof(chip.cp.txbuf)));
		FUZZ_CHECK(len >= 14);
		check_hdr(iov[0].iov_base, len);
	}
	return (f.misbehave & SEND_FULL) ? -EAGAIN : 0;
}

static ssize_t fake_recv(struct net_backend *be, unsigned q, const struct iovec *iov, unsigned n)
{
	FUZZ_CHECK(q == 0);
	FUZZ_CHECK(++f.recv_calls <= RTL8139_RX_BUDGET);
	if (f.misbehave & RECV_ERROR)
		return -EIO;
	if (!f.frame_waiting)
		return -EAGAIN;
	if (!(f.misbehave & RECV_ENDLESS))
		f.frame_waiting = false;
	iov_from_buf(iov, n, 0, f.frame, f.frame_len);
	return (ssize_t)f.frame_len;
}

static int fake_offloads(struct net_backend *be, unsigned offloads)
{
	FUZZ_CHECK(offloads == 0);
	return 0;
}

static int fake_queues(struct net_backend *be, unsigned n)
{
	abort();
}

static void fake_close(struct net_backend *be)
{
	abort();
}

static const struct net_backend_ops fake_ops = { fake_send, fake_recv, fake_offloads, fake_queues, fake_close };

static void set_irq(void *opaque, bool level)
{
	FUZZ_CHECK(level != f.irq);	/* only changes are reported */
	f.irq = level;
}

static void check(const struct rtl8139 *d)
{
	FUZZ_CHECK(f.irq == ((d->isr & d->imr) != 0));
	FUZZ_CHECK(d->cp.rx_next < RTL8139_CP_RING_MAX && d->cp.tx_next < RTL8139_CP_RING_MAX);
	FUZZ_CHECK(d->cp.tx_len <= RTL8139_CP_TX_MAX);
	FUZZ_CHECK(d->cbr % 4 == 0);
	FUZZ_CHECK(d->mpc < (1u << 24));
}

static void reg_access(struct rtl8139 *dev, struct fuzz_in *in, uint8_t op, bool write)
{
	static const unsigned widths[4] = { 1, 2, 4, 4 };
	unsigned off = fin_u8(in), len = widths[(op >> 3) & 3];
	uint32_t v = write ? fin_u32(in) : 0;
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	if (op & 0x80)
		rtl8139_mmio(dev, off, b, len, write);
	else
		rtl8139_pio(dev, off, b, len, write);
}

static void ram_fill(struct fuzz_in *in)
{
	uint32_t addr = (uint32_t)fin_u16(in) * 2;
	unsigned len = fin_u8(in);

	if (addr + len > RAM_SIZE)
		len = RAM_SIZE - addr;
	fin_bytes(in, f.ram + addr, len);
}

static void rx(struct rtl8139 *dev, struct fuzz_in *in)
{
	f.frame_len = fin_u16(in) % FRAME_MAX;
	fin_bytes(in, f.frame, f.frame_len);
	f.frame_waiting = true;
	f.recv_calls = 0;
	rtl8139_rx_ready(dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct fuzz_in in = { data, size };
	struct nic_host host;

	if (!f.ram) {
		f.ram = malloc(RAM_SIZE);
		if (!f.ram)
			abort();
	}
	memset(f.ram, 0, RAM_SIZE);
	guest_mem_init_at(&f.gm, f.ram, RAM_SIZE);
	f.be.ops = &fake_ops;
	f.be.queues = 1;
	f.be.offloads = BACKEND_OFFLOADS;
	f.irq = false;
	f.misbehave = 0;
	f.frame_waiting = false;
	host = (struct nic_host){ &f.gm, set_irq, NULL, &f.be };
	if (rtl8139_init(&chip, &host, mac))
		abort();
	while (!fin_done(&in)) {
		uint8_t op = fin_u8(&in);

		switch (op % OP_COUNT) {
		case OP_WRITE: reg_access(&chip, &in, op, true); break;
		case OP_READ: reg_access(&chip, &in, op, false); break;
		case OP_RAM: ram_fill(&in); break;
		case OP_RX: rx(&chip, &in); break;
		case OP_RESET: rtl8139_reset(&chip); break;
		default:
			f.misbehave = fin_u8(&in);
			f.be.offloads = (f.misbehave & NO_OFFLOADS) ? 0 : BACKEND_OFFLOADS;
			break;
		}
		check(&chip);
	}
	rtl8139_destroy(&chip);
	return 0;
}
