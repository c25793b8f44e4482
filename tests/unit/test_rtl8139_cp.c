/* Unit tests of the rtl8139 model's C+ mode, driven the way Linux's 8139cp drives the chip. */
#include "check.h"
#include "nic/offload.h"
#include "nic/rtl8139_impl.h"
#include "rtl8139_regs.h"

#define RX_RING 0x10000u	/* 8139cp: 64 receive descriptors, then 64 transmit */
#define TX_RING (RX_RING + 64 * RTL_DESC_SIZE)
#define RX_BUFS 0x20000u	/* 2 KiB each */
#define TX_BUFS 0x60000u
#define RX_BUF_SZ 1536u
#define CP_INTR_MASK 0x80ff	/* cp_intr_mask: rx and the rest */

static uint32_t ram32(uint64_t at)
{
	return rtl8139_le32(vm.ram + at);
}

static void put_desc(uint64_t at, uint32_t opts1, uint32_t opts2, uint64_t addr)
{
	rtl8139_put_le32(vm.ram + at, opts1);
	rtl8139_put_le32(vm.ram + at + 4, opts2);
	rtl8139_put_le32(vm.ram + at + 8, (uint32_t)addr);
	rtl8139_put_le32(vm.ram + at + 12, (uint32_t)(addr >> 32));
}

/* The receive ring of N descriptors (EOR on the last), every one the chip's. */
static void fill_rx_ring(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put_desc(RX_RING + i * RTL_DESC_SIZE, RTL_DESC_OWN | (i == n - 1 ? RTL_DESC_EOR : 0) | RX_BUF_SZ,
			 0, RX_BUFS + i * 2048u);
}

/* cp_init_hw(): reset, MAC, C+ on, the rings' addresses, receiver and transmitter on, interrupts. */
static void cp_open(unsigned rx_descs)
{
	setup();
	wr(RTL_CR, RTL_CR_RST, 1);
	CHECK(!(rd(RTL_CR, 1) & RTL_CR_RST));
	wr(RTL_9346CR, 0xc0, 1);
	wr(RTL_IDR0, rtl8139_le32(mac), 4);
	wr(RTL_IDR0 + 4, (uint32_t)(mac[4] | mac[5] << 8), 4);
	wr(RTL_CPCR, 0x0010 | 0x0008 | RTL_CPCR_RXCSUM | RTL_CPCR_RXON | RTL_CPCR_TXON, 2);
	wr(RTL_THPDS, 0, 4);
	wr(RTL_THPDS + 4, 0, 4);
	wr(RTL_RDSAR, RX_RING, 4);
	wr(RTL_RDSAR + 4, 0, 4);
	wr(RTL_TNPDS, TX_RING, 4);
	wr(RTL_TNPDS + 4, 0, 4);
	wr(RTL_CR, RTL_CR_RE | RTL_CR_TE, 1);
	wr(RTL_ETTHR, 0x06, 1);
	wr(RTL_RCR, (5 << 13) | (4 << 8) | RTL_RCR_AB | RTL_RCR_APM, 4);
	wr(RTL_TCR, 0x03000600, 4);
	wr(RTL_CONFIG1, rd(RTL_CONFIG1, 1) | 0x21, 1);
	wr(RTL_CONFIG3, 0x40, 1);
	wr(RTL_CONFIG5, rd(RTL_CONFIG5, 1) & 1, 1);
	wr(RTL_MULINT, 0, 2);
	wr(RTL_9346CR, 0, 1);
	fill_rx_ring(rx_descs);
	wr(RTL_IMR, CP_INTR_MASK, 2);
}

static void test_cp_registers(void)
{
	cp_open(64);
	CHECK(rd(RTL_CPCR, 2) == (0x0018 | RTL_CPCR_RXCSUM | RTL_CPCR_RXON | RTL_CPCR_TXON));
	CHECK(rd(RTL_RDSAR, 4) == RX_RING && rd(RTL_TNPDS, 4) == TX_RING && rd(RTL_ETTHR, 1) == 6);
	wr(RTL_INTRMIT, 0x1234, 2);
	wr(RTL_RMS, 1536, 2);
	CHECK(rd(RTL_INTRMIT, 2) == 0x1234 && rd(RTL_RMS, 2) == 1536 && rd(RTL_TPPOLL, 1) == 0);
	CHECK((rd(RTL_TCR, 4) & RTL8139_TCR_HWVER_MASK) == 0x74800000u);
	CHECK(!vm.irq && vm.nsent == 0);
	/* The chip's reset: C mode again. */
	wr(RTL_CR, RTL_CR_RST, 1);
	CHECK(rd(RTL_CPCR, 2) == 0 && rd(RTL_RDSAR, 4) == 0);
	teardown();
}

/* Frame LEN bytes from SEED in transmit buffer I's place; returns its address. */
static uint64_t tx_buf(unsigned i, size_t len, uint8_t seed)
{
	uint64_t at = TX_BUFS + i * 0x10000u;

	memcpy(vm.ram + at, make_frame(len, seed), len);
	return at;
}

static void tx_poll(void)
{
	wr(RTL_TPPOLL, RTL_TPPOLL_NPQ, 1);
}

static void test_cp_tx_one(void)
{
	static const uint8_t zero[NET_HDR_LEN];

	cp_open(64);
	put_desc(TX_RING, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 100, 0, tx_buf(0, 100, 7));
	tx_poll();
	CHECK(vm.nsent == 1 && vm.sent_len[0] == NET_HDR_LEN + 100);
	CHECK(!memcmp(vm.sent[0], zero, NET_HDR_LEN) && !memcmp(vm.sent[0] + NET_HDR_LEN, make_frame(100, 7), 100));
	CHECK(ram32(TX_RING) == (RTL_DESC_FS | RTL_DESC_LS | 100));	/* OWN back to the driver */
	CHECK(rd(RTL_ISR, 2) == RTL_INT_TOK && vm.irq);
	wr(RTL_ISR, RTL_INT_TOK, 2);
	CHECK(!vm.irq);
	/* Polled again with nothing new: nothing sent, no interrupt. */
	tx_poll();
	CHECK(vm.nsent == 1 && rd(RTL_ISR, 2) == 0);
	/* The next one goes from the next descriptor. */
	put_desc(TX_RING + RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 60, 0, tx_buf(1, 60, 9));
	tx_poll();
	CHECK(vm.nsent == 2 && !memcmp(vm.sent[1] + NET_HDR_LEN, make_frame(60, 9), 60));
	/* The transmitter off: nothing goes. */
	wr(RTL_CR, RTL_CR_RE, 1);
	put_desc(TX_RING + 2 * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 60, 0, tx_buf(2, 60, 1));
	tx_poll();
	CHECK(vm.nsent == 2 && (ram32(TX_RING + 2 * RTL_DESC_SIZE) & RTL_DESC_OWN));
	teardown();
}

/* A frame in three fragments across the ring's end (EOR), the first given last as 8139cp does. */
static void test_cp_tx_fragments_wrap(void)
{
	uint64_t buf, last = TX_RING + 63 * RTL_DESC_SIZE;

	cp_open(64);
	buf = tx_buf(0, 1000, 3);
	/* Walk the chip to descriptor 62 with 62 one-fragment frames. */
	for (unsigned i = 0; i < 62; i++)
		put_desc(TX_RING + i * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 60, 0, buf);
	tx_poll();
	CHECK(vm.nsent == FAKE_SENT_MAX && dev.stats.tx_frames == 62);
	vm.nsent = 0;
	put_desc(last, RTL_DESC_OWN | RTL_DESC_EOR | 300, 0, buf + 200);
	put_desc(TX_RING, RTL_DESC_OWN | RTL_DESC_LS | 500, 0, buf + 500);
	tx_poll();	/* the first fragment is not the chip's yet: nothing moves */
	CHECK(vm.nsent == 0);
	put_desc(TX_RING + 62 * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | 200, 0, buf);
	tx_poll();
	CHECK(vm.nsent == 1 && vm.sent_len[0] == NET_HDR_LEN + 1000);
	CHECK(!memcmp(vm.sent[0] + NET_HDR_LEN, make_frame(1000, 3), 1000));
	CHECK(ram32(last) == (RTL_DESC_EOR | 300) && ram32(TX_RING) == (RTL_DESC_LS | 500));
	CHECK(dev.cp.tx_next == 1);
	teardown();
}

/* A TCP/IPv4 frame of LEN bytes at AT: header checksum 0, TCP checksum field garbage. */
static void make_tcp(uint64_t at, uint32_t len, uint8_t proto)
{
	uint8_t *f = vm.ram + at;

	memcpy(f, make_frame(14, 5), 14);
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(5 + i);
	f[12] = 0x08, f[13] = 0x00;
	f[14] = 0x45, f[15] = 0;
	put_be16(f + 16, (uint16_t)(len - 14));
	memset(f + 18, 0, 6);
	f[22] = 64, f[23] = proto;
	memcpy(f + 26, "\xc6\x12\x00\x02\xc6\x12\x00\x01", 8);
	f[34 + 12] = 0x50;	/* data offset: 20 bytes */
	f[34 + 13] = 0x18;
	put_be16(f + 34 + 16, 0xdead);
	put_be16(f + 34 + 6, 0xbeef);
}

/* The L4 checksum over F's datagram at 34..END, with its pseudo-header, is right. */
static bool l4_ok(const uint8_t *f, uint32_t end, uint8_t proto)
{
	uint32_t sum = inet_csum_add(0, f + 26, 8) + proto + (end - 34);

	return inet_csum_fold(inet_csum_add(sum, f + 34, end - 34)) == 0xffff;
}

static void test_cp_tx_checksums(void)
{
	const uint8_t *f;

	cp_open(64);
	make_tcp(TX_BUFS, 200, 6);
	put_desc(TX_RING, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | RTL_TXD_IPCS | RTL_TXD_TCPCS | 200, 0,
		 TX_BUFS);
	tx_poll();
	CHECK(vm.nsent == 1);
	f = vm.sent[0] + NET_HDR_LEN;
	struct net_hdr h;
	memcpy(&h, vm.sent[0], sizeof(h));
	CHECK(inet_csum_fold(inet_csum_add(0, f + 14, 20)) == 0xffff);	/* IP header */
	CHECK(h.flags == NET_HDR_NEEDS_CSUM && h.csum_start == 34 && h.csum_offset == 16 && !h.gso_type);
	CHECK(get_be16(f + 50) == inet_csum_fold(inet_csum_add(0, f + 26, 8) + 6 + 166));
	/* A backend that cannot: done here. UDP too. */
	vm.be.offloads = 0;
	make_tcp(TX_BUFS, 300, 17);
	put_desc(TX_RING + RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | RTL_TXD_UDPCS | 300, 0,
		 TX_BUFS);
	tx_poll();
	CHECK(vm.nsent == 2);
	f = vm.sent[1] + NET_HDR_LEN;
	memcpy(&h, vm.sent[1], sizeof(h));
	CHECK(h.flags == 0 && l4_ok(f, 300, 17));
	/* Ethernet padding after the datagram stays out of the sum. */
	make_tcp(TX_BUFS, 60, 6);
	put_be16(vm.ram + TX_BUFS + 16, 40);
	put_desc(TX_RING + 2 * RTL_DESC_SIZE,
		 RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | RTL_TXD_IPCS | RTL_TXD_TCPCS | 60, 0, TX_BUFS);
	tx_poll();
	CHECK(vm.nsent == 3 && l4_ok(vm.sent[2] + NET_HDR_LEN, 54, 6));
	CHECK(dev.stats.tx_bad_offload == 0 && rd(RTL_ISR, 2) == RTL_INT_TOK);
	teardown();
}

static void test_cp_tx_large_send(void)
{
	const uint32_t len = 40000, mss = 1448;
	struct net_hdr h;

	cp_open(64);
	make_tcp(TX_BUFS, len, 6);
	/* Header and payload in two fragments, as 8139cp maps a TSO skb. */
	put_desc(TX_RING + RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_LS | RTL_TXD_LGSEN |
		 mss << RTL_TXD_MSS_SHIFT | (len - 54), 0, TX_BUFS + 54);
	put_desc(TX_RING, RTL_DESC_OWN | RTL_DESC_FS | RTL_TXD_LGSEN | mss << RTL_TXD_MSS_SHIFT | 54, 0,
		 TX_BUFS);
	put_be16(vm.ram + TX_BUFS + 16, 0);	/* whatever the driver left: the chip sets it */
	tx_poll();
	CHECK(vm.nsent == 1 && vm.sent_len[0] == NET_HDR_LEN + len);
	memcpy(&h, vm.sent[0], sizeof(h));
	CHECK(h.flags == NET_HDR_NEEDS_CSUM && h.gso_type == NET_GSO_TCPV4 && h.hdr_len == 54 &&
	      h.gso_size == mss && h.csum_start == 34 && h.csum_offset == 16);
	CHECK(get_be16(vm.sent[0] + NET_HDR_LEN + 16) == len - 14);
	/* Large send with the backend unable to cut it, with UDP, or with an MSS of 0: dropped, TER. */
	vm.be.offloads = NET_OFFLOAD_CSUM;
	put_desc(TX_RING + 2 * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | RTL_TXD_LGSEN |
		 mss << RTL_TXD_MSS_SHIFT | 2000, 0, TX_BUFS);
	tx_poll();
	vm.be.offloads = NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4;
	make_tcp(TX_BUFS, 2000, 17);
	put_desc(TX_RING + 3 * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | RTL_TXD_LGSEN |
		 mss << RTL_TXD_MSS_SHIFT | 2000, 0, TX_BUFS);
	make_tcp(TX_BUFS + 4096, 2000, 6);
	put_desc(TX_RING + 4 * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | RTL_TXD_LGSEN | 2000,
		 0, TX_BUFS + 4096);
	tx_poll();
	CHECK(vm.nsent == 1 && dev.stats.tx_bad_offload == 3);
	for (unsigned i = 2; i < 5; i++)
		CHECK(ram32(TX_RING + i * RTL_DESC_SIZE) & RTL_TXD_ERR);
	CHECK(rd(RTL_ISR, 2) == (RTL_INT_TOK | RTL_INT_TER));
	teardown();
}

static void test_cp_tx_vlan(void)
{
	cp_open(64);
	put_desc(TX_RING, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 100, RTL_TXD_TAGC | 0x2301,
		 tx_buf(0, 100, 4));
	tx_poll();
	CHECK(vm.nsent == 1 && vm.sent_len[0] == NET_HDR_LEN + 104);
	const uint8_t *f = vm.sent[0] + NET_HDR_LEN, *want = make_frame(100, 4);
	CHECK(!memcmp(f, want, 12) && get_be16(f + 12) == 0x8100 && get_be16(f + 14) == 0x0123 &&
	      !memcmp(f + 16, want + 12, 88));
	teardown();
}

/* Whatever the descriptors say, nothing outside RAM is read, the monitor goes on, the guest hears of it. */
static void test_cp_tx_bad(void)
{
	cp_open(64);
	put_desc(TX_RING, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 100, 0, FAKE_RAM_SIZE - 50);
	put_desc(TX_RING + 16, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 100, 0, 0xffffffff00000000ull);
	put_desc(TX_RING + 32, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 6000, 0, TX_BUFS);	/* too long */
	put_desc(TX_RING + 48, RTL_DESC_OWN | RTL_DESC_LS | 100, 0, TX_BUFS);	/* no FS */
	put_desc(TX_RING + 64, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 10, 0, TX_BUFS);	/* runt */
	put_desc(TX_RING + 80, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | RTL_TXD_TCPCS | 100, 0,
		 tx_buf(0, 100, 1));	/* not IP */
	put_desc(TX_RING + 96, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 0, 0, TX_BUFS);	/* empty */
	tx_poll();
	CHECK(vm.nsent == 0 && rd(RTL_ISR, 2) == RTL_INT_TER);
	for (unsigned i = 0; i < 7; i++)
		CHECK((ram32(TX_RING + i * RTL_DESC_SIZE) & (RTL_DESC_OWN | RTL_TXD_ERR)) == RTL_TXD_ERR);
	/* A ring outside RAM: TER, nothing read. */
	wr(RTL_TNPDS, FAKE_RAM_SIZE - 8, 4);
	wr(RTL_ISR, 0xffff, 2);
	tx_poll();
	CHECK(rd(RTL_ISR, 2) == RTL_INT_TER && vm.nsent == 0);
	/* A ring of owned descriptors and no EOR: one ring's worth a poll, wrapping there. */
	wr(RTL_TNPDS, 0, 4);
	for (unsigned i = 0; i < RTL8139_CP_RING_MAX; i++)
		put_desc(i * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 60, 0, TX_BUFS);
	put_desc(RTL8139_CP_RING_MAX * RTL_DESC_SIZE, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 60, 0,
		 TX_BUFS);
	tx_poll();
	CHECK(dev.stats.tx_frames == RTL8139_CP_RING_MAX && dev.cp.tx_next == 0);
	CHECK(ram32(RTL8139_CP_RING_MAX * RTL_DESC_SIZE) & RTL_DESC_OWN);
	teardown();
}

static void test_cp_rx(void)
{
	cp_open(4);
	deliver(100, 1);
	CHECK(ram32(RX_RING) == (RTL_DESC_FS | RTL_DESC_LS | RTL_RXD_PAM | 104));
	CHECK(ram32(RX_RING + 4) == 0);
	CHECK(!memcmp(vm.ram + RX_BUFS, make_frame(100, 1), 100) && fcs_ok(vm.ram + RX_BUFS, 100));
	CHECK(rd(RTL_ISR, 2) == RTL_INT_ROK && vm.irq);
	/* 8139cp's poll: ack, take, hand back. */
	wr(RTL_ISR, 0x0053, 2);
	CHECK(!vm.irq);
	/* Broadcast, short (padded to 60), then the ring's end and around. */
	uint8_t bc[60];
	memcpy(bc, make_frame(60, 2), 60);
	memset(bc, 0xff, 6);
	memset(bc + 30, 0, 30);
	memset(bc + 20, 0xab, 10);
	fake_vm_queue_rx(&vm, bc, 30);
	rtl8139_rx_ready(&dev);
	CHECK(ram32(RX_RING + 16) == (RTL_DESC_FS | RTL_DESC_LS | RTL_RXD_BAR | 64));
	CHECK(!memcmp(vm.ram + RX_BUFS + 2048, bc, 60));
	deliver(1514, 3);
	deliver(200, 4);
	CHECK(ram32(RX_RING + 48) == (RTL_DESC_EOR | RTL_DESC_FS | RTL_DESC_LS | RTL_RXD_PAM | 204));
	CHECK(dev.cp.rx_next == 0);
	/* Full: the frame is missed (no wake hook here), RDU and MPC say so. */
	deliver(100, 5);
	CHECK(dev.stats.rx_ring_full == 1 && rd(RTL_MPC, 4) == 1 && (rd(RTL_ISR, 2) & RTL_INT_RDU));
	fill_rx_ring(4);
	deliver(100, 6);
	CHECK(ram32(RX_RING) == (RTL_DESC_FS | RTL_DESC_LS | RTL_RXD_PAM | 104));
	CHECK(!memcmp(vm.ram + RX_BUFS, make_frame(100, 6), 100));
	teardown();
}

static unsigned wakes;

static void count_wake(void *opaque)
{
	(void)opaque;
	wakes++;
}

/* With a wake hook, a full ring holds frames back on the tap until the guest gives a descriptor back. */
static void test_cp_rx_backpressure(void)
{
	cp_open(2);
	dev.rx_wake = count_wake;
	wakes = 0;
	deliver(100, 1);
	deliver(100, 2);
	deliver(100, 3);
	CHECK(dev.rx_stalled && vm.rx_next == 0 && vm.nrx == 1 && dev.stats.rx_ring_full == 0);
	/* The poll's ack comes before it hands descriptors back: still no room. */
	wr(RTL_ISR, 0x0053, 2);
	CHECK(dev.rx_stalled && wakes == 0);
	put_desc(RX_RING, RTL_DESC_OWN | RX_BUF_SZ, 0, RX_BUFS);
	wr(RTL_IMR, CP_INTR_MASK, 2);	/* napi_complete: interrupts on again */
	CHECK(!dev.rx_stalled && wakes == 1);
	CHECK(!rtl8139_rx_ready(&dev) && dev.rx_stalled);	/* took it, and the ring is full again */
	CHECK(ram32(RX_RING) == (RTL_DESC_FS | RTL_DESC_LS | RTL_RXD_PAM | 104));
	CHECK(!memcmp(vm.ram + RX_BUFS, make_frame(100, 3), 100));
	teardown();
}

static void test_cp_rx_bad(void)
{
	cp_open(4);
	put_desc(RX_RING, RTL_DESC_OWN | 64, 0, RX_BUFS);	/* too small for 100 + CRC */
	deliver(100, 1);
	CHECK(dev.stats.rx_bad_size == 1 && (ram32(RX_RING) & RTL_DESC_OWN) && !vm.irq);
	put_desc(RX_RING, RTL_DESC_OWN | RX_BUF_SZ, 0, FAKE_RAM_SIZE - 50);	/* runs out of RAM */
	deliver(100, 1);
	CHECK(dev.stats.rx_bad_addr == 1 && (ram32(RX_RING) & RTL_DESC_OWN));
	/* The ring itself outside RAM: frames are dropped, never held back. */
	dev.rx_wake = count_wake;
	wr(RTL_RDSAR + 4, 1, 4);
	deliver(100, 1);
	CHECK(dev.stats.rx_bad_addr == 2 && !dev.rx_stalled);
	/* The receiver off: nothing written. */
	wr(RTL_RDSAR + 4, 0, 4);
	wr(RTL_CR, RTL_CR_TE, 1);
	deliver(100, 1);
	CHECK(dev.stats.rx_frames == 0 && (ram32(RX_RING + 16) & RTL_DESC_OWN));
	teardown();
}

/* ethtool -S: the counters block, 64-byte aligned, and the command bit clear when done. */
static void test_cp_counters(void)
{
	cp_open(4);
	put_desc(TX_RING, RTL_DESC_OWN | RTL_DESC_FS | RTL_DESC_LS | 100, 0, tx_buf(0, 100, 7));
	tx_poll();
	deliver(100, 1);
	deliver(100, 2);
	wr(RTL_DTCCR + 4, 0, 4);
	wr(RTL_DTCCR, 0x3000 | RTL_DTCCR_CMD, 4);
	CHECK(!(rd(RTL_DTCCR, 4) & RTL_DTCCR_CMD));
	CHECK(ram32(0x3000) == 1 && ram32(0x3004) == 0 && ram32(0x3008) == 2 && ram32(0x300c) == 0);
	wr(RTL_DTCCR + 4, 0x10, 4);	/* outside RAM: the dump ends all the same */
	wr(RTL_DTCCR, RTL_DTCCR_CMD, 4);
	CHECK(!(rd(RTL_DTCCR, 4) & RTL_DTCCR_CMD));
	CHECK(vm.nsent == 1);	/* TSD0 in C+ mode sends nothing */
	teardown();
}

int main(void)
{
	RUN(test_cp_registers);
	RUN(test_cp_tx_one);
	RUN(test_cp_tx_fragments_wrap);
	RUN(test_cp_tx_checksums);
	RUN(test_cp_tx_large_send);
	RUN(test_cp_tx_vlan);
	RUN(test_cp_tx_bad);
	RUN(test_cp_rx);
	RUN(test_cp_rx_backpressure);
	RUN(test_cp_rx_bad);
	RUN(test_cp_counters);
	free(vm.ram);
	return CHECK_SUMMARY();
}
