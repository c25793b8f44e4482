/* Unit tests of the e1000 model: EEPROM, PHY, interrupts, transmit and receive rings over fake RAM. */
#include "check.h"
#include "nic/offload.h"
#include "e1000_fake.h"

#define TX_RING 0x1000u		/* 8 descriptors */
#define RX_RING 0x2000u
#define BUFS 0x10000u

/* The driver's Microwire read of word ADDR: opcode 110, six address bits, sixteen data bits. */
static uint16_t ee_read(struct e1000_fake *f, unsigned addr)
{
	uint32_t bits = 0x6u << 6 | addr, eecd = E1000_EECD_REQ | E1000_EECD_CS;
	uint16_t word = 0;

	ef_wr(f, E1000_EECD, E1000_EECD_REQ);
	CHECK(ef_rd(f, E1000_EECD) & E1000_EECD_GNT);
	ef_wr(f, E1000_EECD, eecd);
	for (int i = 8; i >= 0; i--) {
		uint32_t di = (bits >> i) & 1 ? E1000_EECD_DI : 0;

		ef_wr(f, E1000_EECD, eecd | di);
		ef_wr(f, E1000_EECD, eecd | di | E1000_EECD_SK);
		ef_wr(f, E1000_EECD, eecd | di);
	}
	for (int i = 0; i < 16; i++) {
		ef_wr(f, E1000_EECD, eecd | E1000_EECD_SK);
		word = (uint16_t)(word << 1 | ((ef_rd(f, E1000_EECD) & E1000_EECD_DO) ? 1 : 0));
		ef_wr(f, E1000_EECD, eecd);
	}
	ef_wr(f, E1000_EECD, 0);
	return word;
}

static void test_eeprom_checksum_and_mac(void)
{
	struct e1000_fake f;
	uint16_t sum = 0, w;

	ef_init(&f, 0);
	for (unsigned i = 0; i < 64; i++) {
		w = ee_read(&f, i);
		sum = (uint16_t)(sum + w);
		if (i < 3)
			CHECK(w == (ef_mac[2 * i] | ef_mac[2 * i + 1] << 8));
	}
	CHECK(sum == 0xbaba);
	/* EERD gives the same words. */
	ef_wr(&f, E1000_EERD, 1u << 8 | E1000_EERD_START);
	w = (uint16_t)(ef_rd(&f, E1000_EERD) >> 16);
	CHECK(ef_rd(&f, E1000_EERD) & E1000_EERD_DONE);
	CHECK(w == (ef_mac[2] | ef_mac[3] << 8));
	/* The station address is loaded into RAL0/RAH0, valid. */
	CHECK(ef_rd(&f, E1000_RA) == 0x12005452u);
	CHECK(ef_rd(&f, E1000_RA + 4) == (0x5634u | E1000_RAH_AV));
	ef_free(&f);
}

static uint32_t mdic(struct e1000_fake *f, uint32_t op, unsigned phy, unsigned reg, uint16_t data)
{
	ef_wr(f, E1000_MDIC, op | phy << 21 | reg << 16 | data);
	return ef_rd(f, E1000_MDIC);
}

static void test_mdic_phy(void)
{
	struct e1000_fake f;
	uint32_t v;

	ef_init(&f, 0);
	v = mdic(&f, E1000_MDIC_OP_READ, 1, 2, 0);
	CHECK((v & E1000_MDIC_READY) && !(v & E1000_MDIC_ERROR) && (v & 0xffff) == 0x0141);
	CHECK((mdic(&f, E1000_MDIC_OP_READ, 1, 3, 0) & 0xfff0) == 0x0c20);
	v = mdic(&f, E1000_MDIC_OP_READ, 1, 1, 0);
	CHECK((v & 0x0004) && (v & 0x0020));	/* link up, autoneg complete */
	CHECK(mdic(&f, E1000_MDIC_OP_READ, 2, 1, 0) & E1000_MDIC_ERROR);
	/* Reset and restart autonegotiation clear themselves; status stays read-only. */
	mdic(&f, E1000_MDIC_OP_WRITE, 1, 0, 0x9340);
	CHECK((mdic(&f, E1000_MDIC_OP_READ, 1, 0, 0) & 0x8200) == 0);
	mdic(&f, E1000_MDIC_OP_WRITE, 1, 1, 0);
	CHECK(mdic(&f, E1000_MDIC_OP_READ, 1, 1, 0) & 0x0004);
	CHECK(ef_rd(&f, E1000_STATUS) & E1000_STATUS_LU);
	ef_free(&f);
}

static void test_icr_ims_level(void)
{
	struct e1000_fake f;

	ef_init(&f, 0);
	ef_wr(&f, E1000_ICS, E1000_ICR_RXT0);
	CHECK(!f.irq);
	ef_wr(&f, E1000_IMS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
	CHECK(f.irq);
	ef_wr(&f, E1000_IMC, E1000_ICR_RXT0);
	CHECK(!f.irq);
	ef_wr(&f, E1000_IMS, E1000_ICR_RXT0);
	CHECK(f.irq);
	/* Read to clear: the causes come back once, and the line drops. */
	CHECK(ef_rd(&f, E1000_ICR) == (E1000_ICR_RXT0 | E1000_ICR_INT_ASSERTED));
	CHECK(!f.irq);
	CHECK(ef_rd(&f, E1000_ICR) == 0);
	/* Setting link up raises LSC. */
	ef_wr(&f, E1000_IMS, E1000_ICR_LSC);
	ef_wr(&f, E1000_CTRL, 0);
	ef_wr(&f, E1000_CTRL, E1000_CTRL_SLU);
	CHECK(f.irq && (ef_rd(&f, E1000_ICR) & E1000_ICR_LSC));
	/* CTRL.RST: everything back, the line down. */
	ef_wr(&f, E1000_ICS, E1000_ICR_LSC);
	CHECK(f.irq);
	ef_wr(&f, E1000_CTRL, E1000_CTRL_RST);
	CHECK(!f.irq && ef_rd(&f, E1000_IMS) == 0 && !(ef_rd(&f, E1000_CTRL) & E1000_CTRL_RST));
	/* Unknown registers read 0 and keep nothing. */
	ef_wr(&f, 0x1234 * 4 % E1000_REG_SPACE, 0xffffffffu);
	CHECK(ef_rd(&f, 0x1234 * 4 % E1000_REG_SPACE) == 0);
	CHECK(ef_rd(&f, E1000_GPRC) == 0);
	ef_free(&f);
}

static uint64_t fake_now;
static uint64_t armed_at;
static unsigned arms;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static void fake_arm(void *opaque, uint64_t deadline)
{
	armed_at = deadline;
	arms++;
}

static void test_itr_throttles(void)
{
	struct e1000_fake f;

	ef_init(&f, 0);
	f.dev.now = fake_clock;
	f.dev.arm_timer = fake_arm;
	fake_now = 1000000;
	ef_wr(&f, E1000_ITR, 1000);		/* 256 us between interrupts */
	ef_wr(&f, E1000_IMS, E1000_ICR_RXT0);
	ef_wr(&f, E1000_ICS, E1000_ICR_RXT0);
	CHECK(f.irq);
	ef_rd(&f, E1000_ICR);
	CHECK(!f.irq);
	/* Too soon: held, and a timer armed for the end of the interval. */
	fake_now += 1000;
	ef_wr(&f, E1000_ICS, E1000_ICR_RXT0);
	CHECK(!f.irq && arms == 1 && armed_at == 1000000 + 256000);
	ef_wr(&f, E1000_ICS, E1000_ICR_RXT0);
	CHECK(arms == 1);
	fake_now = armed_at;
	e1000_timer(&f.dev);
	CHECK(f.irq);
	/* Without throttling (ITR 0), at once. */
	ef_rd(&f, E1000_ICR);
	ef_wr(&f, E1000_ITR, 0);
	ef_wr(&f, E1000_ICS, E1000_ICR_RXT0);
	CHECK(f.irq);
	ef_free(&f);
}

static void test_io_bar(void)
{
	struct e1000_fake f;
	uint8_t b[4] = { E1000_STATUS, 0, 0, 0 };

	ef_init(&f, 0);
	e1000_pio(&f.dev, 0, b, 4, true);
	e1000_pio(&f.dev, 4, b, 4, false);
	CHECK(b[0] & E1000_STATUS_LU);
	ef_free(&f);
}

/* Descriptor I of the ring at RING: a legacy or extended one, as 16 bytes. */
static void put_desc(struct e1000_fake *f, uint64_t ring, unsigned i, uint64_t addr, uint32_t lower,
		     uint32_t upper)
{
	uint8_t *d = f->ram + ring + 16 * i;

	for (int k = 0; k < 8; k++)
		d[k] = (uint8_t)(addr >> (8 * k));
	for (int k = 0; k < 4; k++) {
		d[8 + k] = (uint8_t)(lower >> (8 * k));
		d[12 + k] = (uint8_t)(upper >> (8 * k));
	}
}

static void legacy(struct e1000_fake *f, unsigned i, uint64_t addr, uint16_t len, uint8_t cmd)
{
	put_desc(f, TX_RING, i, addr, len | (uint32_t)cmd << 24, 0);
}

static void tx_setup(struct e1000_fake *f, unsigned head)
{
	ef_wr(f, E1000_TDBAL, TX_RING);
	ef_wr(f, E1000_TDBAH, 0);
	ef_wr(f, E1000_TDLEN, 8 * 16);
	ef_wr(f, E1000_TDH, head);
	ef_wr(f, E1000_TDT, head);
	ef_wr(f, E1000_TCTL, E1000_TCTL_EN);
	ef_wr(f, E1000_IMS, E1000_ICR_TXDW);
}

static void test_tx_ring_wrap(void)
{
	struct e1000_fake f;

	ef_init(&f, 0);
	tx_setup(&f, 6);
	for (unsigned k = 0; k < 4; k++) {
		memset(f.ram + BUFS + 0x100 * k, 0x10 + k, 60);
		legacy(&f, (6 + k) % 8, BUFS + 0x100 * k, 60, E1000_TXD_EOP | E1000_TXD_RS);
	}
	ef_wr(&f, E1000_TDT, 2);
	CHECK(f.sends == 4 && f.last_len == 60 && f.last[0] == 0x13);
	CHECK(ef_rd(&f, E1000_GPTC) == 4 && ef_rd(&f, E1000_GOTCL) == 240 && ef_rd(&f, E1000_TPT) == 4);
	CHECK(ef_rd(&f, E1000_TDH) == 2);
	CHECK(f.ram[TX_RING + 16 * 7 + 12] & E1000_TXD_DD);
	CHECK(f.ram[TX_RING + 16 * 1 + 12] & E1000_TXD_DD);
	CHECK(f.irq);
	/* TDT beyond the ring: nothing moves, counted. */
	ef_wr(&f, E1000_TDT, 9);
	CHECK(f.dev.stats.tx_bad_ring == 1 && ef_rd(&f, E1000_TDH) == 2 && f.sends == 4);
	ef_free(&f);
}

static void test_tx_outside_ram(void)
{
	struct e1000_fake f;

	ef_init(&f, 0);
	tx_setup(&f, 0);
	legacy(&f, 0, EF_RAM - 30, 60, E1000_TXD_EOP | E1000_TXD_RS);	/* runs past RAM */
	legacy(&f, 1, 0xfffffffffffffff0ull, 60, E1000_TXD_EOP);		/* wraps */
	memset(f.ram + BUFS, 0xaa, 60);
	legacy(&f, 2, BUFS, 60, E1000_TXD_EOP);
	ef_wr(&f, E1000_TDT, 3);
	CHECK(f.sends == 1 && f.dev.stats.tx_bad_desc == 2 && f.dev.stats.tx_dropped == 2);
	CHECK(ef_rd(&f, E1000_TDH) == 3);
	/* The ring itself outside RAM: counted, no frame. */
	ef_wr(&f, E1000_TDBAL, EF_RAM - 16);
	ef_wr(&f, E1000_TDH, 0);
	ef_wr(&f, E1000_TDT, 0);
	ef_wr(&f, E1000_TDT, 2);
	CHECK(f.sends == 1 && f.dev.stats.tx_bad_ring == 1);
	ef_free(&f);
}

static void test_tx_zero_length(void)
{
	struct e1000_fake f;

	ef_init(&f, 0);
	tx_setup(&f, 0);
	memset(f.ram + BUFS, 0x11, 30);
	memset(f.ram + BUFS + 0x100, 0x22, 30);
	legacy(&f, 0, BUFS, 30, 0);
	legacy(&f, 1, BUFS + 0x800, 0, 0);
	legacy(&f, 2, BUFS + 0x100, 30, E1000_TXD_EOP);
	legacy(&f, 3, BUFS, 0, E1000_TXD_EOP);		/* a frame of nothing */
	ef_wr(&f, E1000_TDT, 4);
	CHECK(f.sends == 1 && f.last_len == 60 && f.last[29] == 0x11 && f.last[30] == 0x22);
	CHECK(f.dev.stats.tx_zero_len == 2 && f.dev.stats.tx_dropped == 1);
	ef_free(&f);
}

/* A context descriptor: IP and TCP offsets, the TUCMD byte, header length and MSS. */
static void context(struct e1000_fake *f, unsigned i, uint8_t ipcss, uint8_t ipcso, uint16_t ipcse,
		    uint8_t tucss, uint8_t tucso, uint32_t paylen, uint8_t tucmd, uint8_t hdr_len,
		    uint16_t mss)
{
	uint64_t lo = ipcss | ipcso << 8 | (uint64_t)ipcse << 16 | (uint64_t)tucss << 32 |
		      (uint64_t)tucso << 40;

	put_desc(f, TX_RING, i, lo, paylen | (uint32_t)(tucmd | E1000_TXD_DEXT) << 24,
		 (uint32_t)hdr_len << 8 | (uint32_t)mss << 16);
}

static void data(struct e1000_fake *f, unsigned i, uint64_t addr, uint32_t len, uint8_t cmd,
		 uint8_t popts)
{
	put_desc(f, TX_RING, i, addr, len | 1u << 20 | (uint32_t)(cmd | E1000_TXD_DEXT) << 24,
		 (uint32_t)popts << 8);
}

/* Ethernet + IPv4 + TCP headers (54 bytes) at P, the TCP checksum seeded as Linux's e1000 does. */
static void tcp4_headers(uint8_t *p)
{
	memset(p, 0, 54);
	memcpy(p, ef_mac, 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[22] = 64;
	p[23] = 6;
	memcpy(p + 26, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	p[46] = 0x50;	/* data offset 5 */
	p[50] = 0x12;	/* the pseudo-header sum without length */
	p[51] = 0x34;
}

static void test_tx_absurd_context(void)
{
	struct e1000_fake f;
	unsigned off = NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO6;

	ef_init(&f, off);
	tx_setup(&f, 0);
	tcp4_headers(f.ram + BUFS);
	/* MSS 0, then a header longer than the frame, then checksum offsets past its end. */
	context(&f, 0, 14, 24, 33, 34, 50, 1000, E1000_TUCMD_TCP | E1000_TUCMD_IP | E1000_TUCMD_TSE,
		54, 0);
	data(&f, 1, BUFS, 1054, E1000_TXD_EOP | E1000_TXD_TSE, 3);
	context(&f, 2, 14, 24, 33, 34, 50, 1000, E1000_TUCMD_TCP | E1000_TUCMD_IP | E1000_TUCMD_TSE,
		255, 1000);
	data(&f, 3, BUFS, 100, E1000_TXD_EOP | E1000_TXD_TSE, 3);
	context(&f, 4, 14, 24, 33, 200, 250, 0, E1000_TUCMD_TCP, 0, 0);
	data(&f, 5, BUFS, 100, E1000_TXD_EOP, E1000_POPTS_TXSM);
	ef_wr(&f, E1000_TDT, 6);
	CHECK(f.sends == 0 && f.dev.stats.tx_bad_ctx == 3 && ef_rd(&f, E1000_TDH) == 6);
	ef_free(&f);
}

static void test_tx_checksum(void)
{
	struct e1000_fake f;

	/* A backend without checksum offload: the model fills the TCP checksum in. */
	ef_init(&f, 0);
	tx_setup(&f, 0);
	tcp4_headers(f.ram + BUFS);
	memset(f.ram + BUFS + 54, 0x5a, 100);
	context(&f, 0, 14, 24, 33, 34, 50, 0, E1000_TUCMD_TCP | E1000_TUCMD_IP, 0, 0);
	data(&f, 1, BUFS, 154, E1000_TXD_EOP, E1000_POPTS_TXSM);
	ef_wr(&f, E1000_TDT, 2);
	CHECK(f.sends == 1 && f.last_hdr.flags == 0);
	CHECK(inet_csum_fold(inet_csum_add(0x1234, f.last + 34, 120)) == 0xffff);
	ef_free(&f);
	/* With it: left to the backend, the frame untouched. */
	ef_init(&f, NET_OFFLOAD_CSUM);
	tx_setup(&f, 0);
	tcp4_headers(f.ram + BUFS);
	context(&f, 0, 14, 24, 33, 34, 50, 0, E1000_TUCMD_TCP | E1000_TUCMD_IP, 0, 0);
	data(&f, 1, BUFS, 154, E1000_TXD_EOP, E1000_POPTS_TXSM);
	ef_wr(&f, E1000_TDT, 2);
	CHECK(f.sends == 1 && f.last_hdr.flags == 1 && f.last_hdr.csum_start == 34 &&
	      f.last_hdr.csum_offset == 16 && f.last[50] == 0x12 && f.last[51] == 0x34);
	ef_free(&f);
}

static void test_tso_64k_whole(void)
{
	struct e1000_fake f;
	const uint32_t payload = 65535 - 40, total = 14 + 65535;
	unsigned i = 1;
	uint32_t done = 0;

	ef_init(&f, NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4);
	/* A bigger ring: one header descriptor, 16 of payload, the context. */
	ef_wr(&f, E1000_TDBAL, TX_RING);
	ef_wr(&f, E1000_TDLEN, 32 * 16);
	ef_wr(&f, E1000_TCTL, E1000_TCTL_EN);
	tcp4_headers(f.ram + BUFS);
	for (uint32_t k = 0; k < payload; k++)
		f.ram[BUFS + 0x100 + k] = (uint8_t)k;
	context(&f, 0, 14, 24, 33, 34, 50, payload,
		E1000_TUCMD_TCP | E1000_TUCMD_IP | E1000_TUCMD_TSE, 54, 1448);
	data(&f, i++, BUFS, 54, E1000_TXD_TSE, E1000_POPTS_IXSM | E1000_POPTS_TXSM);
	while (done < payload) {
		uint32_t n = payload - done < 4096 ? payload - done : 4096;

		data(&f, i++, BUFS + 0x100 + done, n,
		     E1000_TXD_TSE | (done + n == payload ? E1000_TXD_EOP | E1000_TXD_RS : 0), 3);
		done += n;
	}
	ef_wr(&f, E1000_TDT, i);
	CHECK(f.sends == 1 && f.last_len == total);
	CHECK(f.last_hdr.flags == 1 && f.last_hdr.gso_type == 1 && f.last_hdr.gso_size == 1448 &&
	      f.last_hdr.hdr_len == 54 && f.last_hdr.csum_start == 34 &&
	      f.last_hdr.csum_offset == 16);
	CHECK((f.last[16] << 8 | f.last[17]) == 65535);				/* IP total length */
	CHECK(inet_csum_fold(inet_csum_add(0, f.last + 14, 20)) == 0xffff);	/* IP checksum */
	CHECK((f.last[50] << 8 | f.last[51]) == inet_csum_fold(0x1234 + 65535 - 20));
	CHECK(f.last[54] == 0 && f.last[54 + 4095] == (uint8_t)4095 &&
	      f.last[total - 1] == (uint8_t)(payload - 1));
	CHECK(ef_rd(&f, E1000_TDH) == i && f.dev.stats.tx_dropped == 0);
	ef_free(&f);
	/* CWR set: the segment says ECN to a backend that takes it. */
	ef_init(&f, NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO_ECN);
	tx_setup(&f, 0);
	tcp4_headers(f.ram + BUFS);
	f.ram[BUFS + 47] = 0x80;
	context(&f, 0, 14, 24, 33, 34, 50, 2000,
		E1000_TUCMD_TCP | E1000_TUCMD_IP | E1000_TUCMD_TSE, 54, 1448);
	data(&f, 1, BUFS, 2054, E1000_TXD_TSE | E1000_TXD_EOP, 3);
	ef_wr(&f, E1000_TDT, 2);
	CHECK(f.sends == 1 && f.last_hdr.gso_type == 0x81);
	ef_free(&f);
	/* A backend that cannot segment: dropped, not sent in pieces it cannot take. */
	ef_init(&f, NET_OFFLOAD_CSUM);
	tx_setup(&f, 0);
	tcp4_headers(f.ram + BUFS);
	context(&f, 0, 14, 24, 33, 34, 50, 2000,
		E1000_TUCMD_TCP | E1000_TUCMD_IP | E1000_TUCMD_TSE, 54, 1448);
	data(&f, 1, BUFS, 2054, E1000_TXD_TSE | E1000_TXD_EOP, 3);
	ef_wr(&f, E1000_TDT, 2);
	CHECK(f.sends == 0 && f.dev.stats.tx_dropped == 1);
	ef_free(&f);
}

static void rx_setup(struct e1000_fake *f, uint32_t rctl)
{
	for (unsigned i = 0; i < 8; i++)
		put_desc(f, RX_RING, i, BUFS + 0x800 * i, 0, 0);
	ef_wr(f, E1000_RDBAL, RX_RING);
	ef_wr(f, E1000_RDLEN, 8 * 16);
	ef_wr(f, E1000_RDH, 0);
	ef_wr(f, E1000_RDT, 7);
	ef_wr(f, E1000_RCTL, E1000_RCTL_EN | rctl);
	ef_wr(f, E1000_IMS, E1000_ICR_RXT0);
}

static void frame_to(uint8_t *fr, const uint8_t *dst, uint8_t fill)
{
	memset(fr, fill, 64);
	memcpy(fr, dst, 6);
}

static void test_rx_ring(void)
{
	struct e1000_fake f;
	uint8_t fr[64], mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }, other[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned h = ((mc[4] >> 4) | mc[5] << 4) & 0xfff;

	ef_init(&f, 0);
	rx_setup(&f, E1000_RCTL_BAM);
	frame_to(fr, ef_mac, 0x31);
	ef_queue_rx(&f, fr, 64);
	frame_to(fr, other, 0x32);
	ef_queue_rx(&f, fr, 64);		/* someone else's: filtered */
	frame_to(fr, bcast, 0x33);
	ef_queue_rx(&f, fr, 64);
	frame_to(fr, mc, 0x34);
	ef_queue_rx(&f, fr, 64);		/* not in the MTA yet: filtered */
	CHECK(e1000_rx_ready(&f.dev));
	CHECK(f.dev.stats.rx_frames == 2 && f.dev.stats.rx_filtered == 2);
	CHECK(ef_rd(&f, E1000_RDH) == 2 && f.irq);
	/* Counted for the driver's statistics, cleared on read. */
	CHECK(ef_rd(&f, E1000_GPRC) == 2 && ef_rd(&f, E1000_BPRC) == 1 && ef_rd(&f, E1000_GORCL) == 136);
	CHECK(ef_rd(&f, E1000_GPRC) == 0);
	CHECK(f.ram[RX_RING + 8] == 68 && (f.ram[RX_RING + 12] & 3) == 3);	/* length + FCS, DD|EOP */
	CHECK(f.ram[BUFS + 6] == 0x31 && f.ram[BUFS + 0x800 + 6] == 0x33);
	ef_wr(&f, E1000_MTA + 4 * (h >> 5), 1u << (h & 31));
	frame_to(fr, mc, 0x35);
	ef_queue_rx(&f, fr, 64);
	CHECK(e1000_rx_ready(&f.dev) && ef_rd(&f, E1000_RDH) == 3 && f.ram[BUFS + 0x1000 + 6] == 0x35);
	/* The ring fills (RDT 7: four more, then full); the fifth frame waits for RDT. */
	for (unsigned k = 0; k < 5; k++) {
		frame_to(fr, ef_mac, (uint8_t)(0x40 + k));
		ef_queue_rx(&f, fr, 64);
	}
	CHECK(!e1000_rx_ready(&f.dev));
	CHECK(ef_rd(&f, E1000_RDH) == 7 && f.dev.stats.rx_frames == 7 && f.dev.rx_pending);
	CHECK(ef_rd(&f, E1000_ICR) & E1000_ICR_RXDMT0);
	ef_wr(&f, E1000_RDT, 3);		/* the guest took four back: wrap */
	CHECK(f.wakes == 1);
	CHECK(e1000_rx_ready(&f.dev) && ef_rd(&f, E1000_RDH) == 0 && f.ram[BUFS + 0x3800 + 6] == 0x44);
	ef_free(&f);
}

static void test_rx_partial_checksum(void)
{
	struct e1000_fake f;
	uint8_t fr[NET_HDR_LEN + 154];
	struct net_hdr h = { .flags = 1, .csum_start = 34, .csum_offset = 16 };

	ef_init(&f, 0);
	rx_setup(&f, 0);
	memcpy(fr, &h, sizeof(h));
	tcp4_headers(fr + NET_HDR_LEN);
	memset(fr + NET_HDR_LEN + 54, 0x77, 100);
	f.rx[0] = malloc(sizeof(fr));
	memcpy(f.rx[0], fr, sizeof(fr));
	f.rx_len[0] = sizeof(fr);
	f.nrx = 1;
	CHECK(e1000_rx_ready(&f.dev) && f.dev.stats.rx_frames == 1);
	CHECK(inet_csum_fold(inet_csum_add(0x1234, f.ram + BUFS + 34, 120)) == 0xffff);
	ef_free(&f);
}

int main(void)
{
	RUN(test_eeprom_checksum_and_mac);
	RUN(test_mdic_phy);
	RUN(test_icr_ims_level);
	RUN(test_itr_throttles);
	RUN(test_io_bar);
	RUN(test_tx_ring_wrap);
	RUN(test_tx_outside_ram);
	RUN(test_tx_zero_length);
	RUN(test_tx_absurd_context);
	RUN(test_tx_checksum);
	RUN(test_tso_64k_whole);
	RUN(test_rx_ring);
	RUN(test_rx_partial_checksum);
	return CHECK_SUMMARY();
}
