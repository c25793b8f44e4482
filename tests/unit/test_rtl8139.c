/* Unit tests of the rtl8139 model's C mode, driven the way Linux's 8139too drives the chip. */
#include <pthread.h>
#include <sched.h>

#include "check.h"
#include "rtl8139_regs.h"

/* 8139too's read_eeprom(): command out on DI, 16 bits in from DO, SK toggled by hand. */
static unsigned ee_read(unsigned location, unsigned addr_len)
{
	unsigned cmd = location | 6u << addr_len, val = 0;

	wr(RTL_9346CR, 0x80, 1);
	wr(RTL_9346CR, 0x88, 1);
	for (int i = 4 + (int)addr_len; i >= 0; i--) {
		unsigned d = (cmd >> i) & 1 ? 0x02 : 0;

		wr(RTL_9346CR, 0x88 | d, 1);
		wr(RTL_9346CR, 0x88 | d | 0x04, 1);
	}
	wr(RTL_9346CR, 0x88, 1);
	for (int i = 0; i < 16; i++) {
		wr(RTL_9346CR, 0x88 | 0x04, 1);
		val = val << 1 | (rd(RTL_9346CR, 1) & 1);
		wr(RTL_9346CR, 0x88, 1);
	}
	wr(RTL_9346CR, 0, 1);
	return val;
}

static void test_identity_and_eeprom(void)
{
	setup();
	CHECK(RTL8139_REVISION >= 0x20);	/* 8139cp's, not 8139too's */
	CHECK((rd(RTL_TCR, 4) & RTL8139_TCR_HWVER_MASK) == 0x74800000u);	/* RTL-8139C+ */
	CHECK(rd(RTL_TCR, 4) != 0xffffffffu);
	/* The driver tries 8 address bits first and must then settle on 6. */
	CHECK(ee_read(0, 8) != 0x8129);
	CHECK(ee_read(0, 6) == 0x8129);
	for (unsigned i = 0; i < 3; i++)
		CHECK(ee_read(7 + i, 6) == (unsigned)(mac[2 * i] | mac[2 * i + 1] << 8));
	for (unsigned i = 0; i < 6; i++)
		CHECK(rd(RTL_IDR0 + i, 1) == mac[i]);
	CHECK(rd(RTL_9346CR, 1) == 0);
	/* Link up, autonegotiation complete; config locked until unlocked. */
	CHECK(rd(RTL_BMSR, 2) & 0x0004);
	CHECK(rd(RTL_BMSR, 2) & 0x0020);
	wr(RTL_CONFIG3, 0x20, 1);
	CHECK(rd(RTL_CONFIG3, 1) == 0);
	wr(RTL_9346CR, 0xc0, 1);
	wr(RTL_CONFIG3, 0x20, 1);
	wr(RTL_9346CR, 0, 1);
	CHECK(rd(RTL_CONFIG3, 1) == 0x20);
	/* Beyond the BAR: all-ones, no crash. */
	uint8_t b[4];
	rtl8139_pio(&dev, 254, b, 4, false);
	CHECK(b[0] == 0xff);
	CHECK(vm.offloads_asked == 0);
	teardown();
}

static void test_reset(void)
{
	setup();
	wr(RTL_IMR, 0xffff, 2);
	wr(RTL_CR, RTL_CR_RE | RTL_CR_TE, 1);
	wr(RTL_IDR0, 0x11223344, 4);
	wr(RTL_RCR, 0x0000f70e, 4);
	wr(RTL_CR, RTL_CR_RST, 1);
	CHECK((rd(RTL_CR, 1) & (RTL_CR_RST | RTL_CR_RE | RTL_CR_TE)) == 0);
	CHECK(rd(RTL_CR, 1) & RTL_CR_BUFE);
	CHECK(rd(RTL_IMR, 2) == 0);
	CHECK(rd(RTL_ISR, 2) == 0);
	CHECK(rd(RTL_RCR, 4) == 0);
	CHECK(rd(RTL_CAPR, 2) == 0xfff0 && rd(RTL_CBR, 2) == 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK(rd(RTL_TSD0 + 4 * i, 4) == RTL_TSD_OWN);
	CHECK(rd(RTL_IDR0, 4) == 0x11223344);	/* the chip's reset keeps the address */
	rtl8139_reset(&dev);			/* power-on reloads it */
	CHECK(rd(RTL_IDR0, 1) == mac[0] && rd(RTL_IDR0 + 5, 1) == mac[5]);
	teardown();
}

/* Slot SLOT sends LEN bytes from guest address ADDR. */
static void tx(unsigned slot, uint32_t addr, uint32_t len)
{
	wr(RTL_TSAD0 + 4 * slot, addr, 4);
	wr(RTL_TSD0 + 4 * slot, 0x00020000 | len, 4);	/* 8139too: tx_flag | size */
}

static void test_isr_imr_level(void)
{
	setup();
	wr(RTL_CR, RTL_CR_TE, 1);
	tx(0, 0x1000, 60);
	CHECK(rd(RTL_ISR, 2) == RTL_INT_TOK);
	CHECK(!vm.irq);				/* masked */
	wr(RTL_IMR, RTL_INT_ROK, 2);
	CHECK(!vm.irq);
	wr(RTL_IMR, RTL_INT_TOK | RTL_INT_ROK, 2);
	CHECK(vm.irq);
	wr(RTL_ISR, 0, 2);			/* writing 0 clears nothing */
	CHECK(vm.irq && rd(RTL_ISR, 2) == RTL_INT_TOK);
	wr(RTL_ISR, RTL_INT_ROK, 2);		/* nor does another bit */
	CHECK(vm.irq);
	wr(RTL_ISR, RTL_INT_TOK, 2);
	CHECK(!vm.irq && rd(RTL_ISR, 2) == 0);
	tx(1, 0x1000, 60);
	CHECK(vm.irq);
	wr(RTL_IMR, 0, 2);
	CHECK(!vm.irq);
	teardown();
}

static void test_tx_each_slot(void)
{
	setup();
	wr(RTL_CR, RTL_CR_RE | RTL_CR_TE, 1);
	for (unsigned slot = 0; slot < 4; slot++) {
		uint32_t addr = 0x2000 + 0x800 * slot, len = 60 + 100 * slot;

		for (uint32_t i = 0; i < len; i++)
			vm.ram[addr + i] = (uint8_t)(slot * 31 + i);
		tx(slot, addr, len);
		CHECK(rd(RTL_TSD0 + 4 * slot, 4) == (0x00020000 | RTL_TSD_OWN | RTL_TSD_TOK | len));
		CHECK(vm.nsent == slot + 1);
		CHECK(vm.sent_len[slot] == NET_HDR_LEN + len);
		static const uint8_t zero[NET_HDR_LEN];
		CHECK(!memcmp(vm.sent[slot], zero, NET_HDR_LEN));
		CHECK(!memcmp(vm.sent[slot] + NET_HDR_LEN, vm.ram + addr, len));
	}
	CHECK(rd(RTL_TSAD, 2) == 0xf00f);	/* all four: TOK and OWN */
	CHECK(rd(RTL_ISR, 2) == RTL_INT_TOK);
	/* Transmitter off: the slot stays the driver's... the chip's, unsent. */
	wr(RTL_CR, RTL_CR_RE, 1);
	tx(0, 0x2000, 60);
	CHECK(vm.nsent == 4 && !(rd(RTL_TSD0, 4) & RTL_TSD_OWN));
	/* A full tap drops the frame; the chip still reports it sent. */
	wr(RTL_CR, RTL_CR_RE | RTL_CR_TE, 1);
	vm.send_result = -EAGAIN;
	tx(1, 0x2000, 60);
	CHECK(rd(RTL_TSD0 + 4, 4) & RTL_TSD_TOK);
	CHECK(dev.stats.tx_backend_drops == 1);
	teardown();
}

static void test_tx_bad(void)
{
	setup();
	wr(RTL_CR, RTL_CR_TE, 1);
	tx(0, FAKE_RAM_SIZE - 30, 60);			/* runs off the end of RAM */
	CHECK((rd(RTL_TSD0, 4) & (RTL_TSD_OWN | RTL_TSD_TUN | RTL_TSD_TOK)) == (RTL_TSD_OWN | RTL_TSD_TUN));
	tx(1, 0xfffffff0u, 60);				/* nowhere near RAM */
	CHECK(rd(RTL_TSD0 + 4, 4) & RTL_TSD_TUN);
	tx(2, 0x1000, RTL8139_TX_MAX + 1);		/* longer than the chip sends */
	CHECK(rd(RTL_TSD0 + 8, 4) & RTL_TSD_TUN);
	tx(3, 0x1000, 0);
	CHECK(rd(RTL_TSD0 + 12, 4) & RTL_TSD_TUN);
	CHECK(vm.nsent == 0);
	CHECK(rd(RTL_ISR, 2) == RTL_INT_TER);
	CHECK(dev.stats.tx_bad_addr == 2 && dev.stats.tx_bad_size == 2);
	tx(2, 0x1000, RTL8139_TX_MAX);			/* the largest that goes */
	CHECK(vm.nsent == 1 && (rd(RTL_TSD0 + 8, 4) & RTL_TSD_TOK));
	teardown();
}

#define RING 0x10000u

/* The driver's setup: ring at RING, 8 KiB << IDX, with or without WRAP, broadcast and own address. */
static void rx_setup(unsigned idx, bool wrap)
{
	setup();
	wr(RTL_RBSTART, RING, 4);
	wr(RTL_CR, RTL_CR_RE | RTL_CR_TE, 1);
	wr(RTL_RCR, (idx << 11) | (wrap ? RTL_RCR_WRAP : 0) | RTL_RCR_AB | RTL_RCR_APM, 4);
	wr(RTL_IMR, 0xe07f, 2);
}


/* Check the frame at ring offset OFF (8 KiB ring, wrapped or run on) is LEN bytes from SEED. */
static bool ring_has(uint32_t ring, uint32_t off, size_t len, uint8_t seed, bool run_on)
{
	uint8_t *r = vm.ram + RING;
	uint32_t status = r[off] | r[off + 1] << 8, size = r[off + 2] | r[off + 3] << 8;

	make_frame(len, seed);
	if (!(status & RTL_RX_ROK) || size != len + 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint32_t at = off + 4 + (uint32_t)i;

		if (r[run_on ? at : at % ring] != frame_buf[i])
			return false;
	}
	return true;
}

/* 8139too's loop: consume what is there, CAPR = read pointer - 16. */
static unsigned driver_rx(uint32_t *cur, uint32_t ring)
{
	unsigned n = 0;

	while (!(rd(RTL_CR, 1) & RTL_CR_BUFE) && n < 100) {
		uint8_t *h = vm.ram + RING + *cur % ring;
		uint32_t size = h[2] | h[3] << 8;

		*cur = (*cur + size + 4 + 3) & ~3u;
		wr(RTL_CAPR, (uint16_t)(*cur - 16), 2);
		n++;
	}
	wr(RTL_ISR, RTL_INT_ROK, 2);
	return n;
}


static void test_rx_basic(void)
{
	uint32_t cur = 0;

	rx_setup(0, false);
	CHECK(rd(RTL_CR, 1) & RTL_CR_BUFE);
	deliver(100, 1);
	CHECK(!(rd(RTL_CR, 1) & RTL_CR_BUFE));
	CHECK(rd(RTL_ISR, 2) == RTL_INT_ROK && vm.irq);
	CHECK(ring_has(8192, 0, 100, 1, false));
	CHECK((vm.ram[RING] | vm.ram[RING + 1] << 8) == (RTL_RX_ROK | RTL_RX_PAM));
	CHECK(rd(RTL_CBR, 2) == 108);	/* header, 100, CRC, aligned */
	deliver(20, 2);			/* short: padded to 60, as on the wire */
	CHECK((vm.ram[RING + 110] | vm.ram[RING + 111] << 8) == 64);
	CHECK(vm.ram[RING + 112 + 19] == (uint8_t)(2 + 19) && vm.ram[RING + 112 + 20] == 0 &&
	      vm.ram[RING + 112 + 59] == 0);
	CHECK(rd(RTL_CBR, 2) == 108 + 68);
	CHECK(fcs_ok(vm.ram + RING + 4, 100));
	CHECK(driver_rx(&cur, 8192) == 2);
	CHECK(!vm.irq && (rd(RTL_CR, 1) & RTL_CR_BUFE));
	teardown();
}

/* A frame that reaches past the ring's end: wrapped to the start, or run on past the end with WRAP. */
static void test_rx_wrap(void)
{
	for (int run_on = 0; run_on < 2; run_on++) {
		uint32_t cur = 0;
		unsigned frames = 0;

		rx_setup(0, run_on);
		/* 1000-byte frames take 1008 each: the 9th starts at 8064 and runs past 8192. */
		for (unsigned i = 0; i < 8; i++) {
			deliver(1000, (uint8_t)i);
			frames += driver_rx(&cur, 8192);
		}
		CHECK(frames == 8 && cur == 8064);
		deliver(1000, 99);
		CHECK(ring_has(8192, 8064, 1000, 99, run_on));
		CHECK(rd(RTL_CBR, 2) == (8064 + 1008) % 8192);
		if (!run_on)
			CHECK(vm.ram[RING + 8192 + 100] == 0);	/* nothing past the end */
		CHECK(driver_rx(&cur, 8192) == 1);
		deliver(60, 7);
		CHECK(ring_has(8192, cur % 8192, 60, 7, false));
		teardown();
	}
}

/* The ring fills: a frame larger than the free space is dropped, counted, and the ring intact. */
static void test_rx_full(void)
{
	uint32_t cur = 0;

	rx_setup(0, false);
	for (unsigned i = 0; i < 8; i++)
		deliver(1000, (uint8_t)i);	/* 8064 of 8192 used */
	CHECK(rd(RTL_CBR, 2) == 8064);
	deliver(200, 50);			/* 208 > 128 free */
	CHECK(rd(RTL_CBR, 2) == 8064);
	CHECK(rd(RTL_ISR, 2) & RTL_INT_RXOVW);
	CHECK(rd(RTL_MPC, 4) == 1 && dev.stats.rx_ring_full == 1);
	deliver(100, 51);			/* 108 fits in the 128 left */
	CHECK(rd(RTL_CBR, 2) == 8172);
	deliver(14, 52);			/* padded to 60: 68 > 20 left */
	CHECK(rd(RTL_MPC, 4) == 2);
	wr(RTL_MPC, 0, 4);
	CHECK(rd(RTL_MPC, 4) == 0);
	CHECK(driver_rx(&cur, 8192) == 9);
	CHECK(ring_has(8192, 8064, 100, 51, false));
	teardown();
}

static unsigned wakes;

static void count_wake(void *opaque)
{
	(void)opaque;
	wakes++;
}

/*
 * With a wake hook the ring never drops for want of room: receive stops
 * (frames stay on the tap) and goes on when the guest frees a frame's worth.
 */
static void test_rx_backpressure(void)
{
	uint32_t cur = 0;

	rx_setup(0, false);
	dev.rx_wake = count_wake;
	wakes = 0;
	for (unsigned i = 0; i < 6; i++)
		fake_vm_queue_rx(&vm, make_frame(1500, (uint8_t)i), 1500);
	CHECK(!rtl8139_rx_ready(&dev));		/* 5 x 1508 in: 1800 no longer fits */
	CHECK(dev.stats.rx_frames == 5 && dev.stats.rx_ring_full == 0 && dev.rx_stalled);
	CHECK(vm.rx_next == 5);			/* the sixth still waits on the tap */
	wr(RTL_IMR, 0xe07f, 2);			/* a write that frees nothing wakes nothing */
	CHECK(wakes == 0 && dev.rx_stalled);
	CHECK(driver_rx(&cur, 8192) == 5);	/* the guest reads them: CAPR moves */
	CHECK(wakes == 1 && !dev.rx_stalled);
	CHECK(rtl8139_rx_ready(&dev));
	CHECK(dev.stats.rx_frames == 6 && ring_has(8192, cur % 8192, 1500, 5, false));
	CHECK(driver_rx(&cur, 8192) == 1);
	/* A receiver switched off takes (and drops) frames: nothing waits for it. */
	for (unsigned i = 0; i < 6; i++)
		fake_vm_queue_rx(&vm, make_frame(1500, (uint8_t)i), 1500);
	CHECK(!rtl8139_rx_ready(&dev));
	wr(RTL_CR, RTL_CR_TE, 1);
	CHECK(wakes == 2);
	CHECK(rtl8139_rx_ready(&dev) && vm.rx_next == vm.nrx);
	teardown();
}

/*
 * 8139too polls the ring only while ROK is pending, and acknowledges it after
 * each frame. A poll that ends on its budget having freed too little to wake
 * the receiver must still find ROK, or the frames left and the receiver wait
 * on each other for good.
 */
static void test_rx_stall_keeps_rok(void)
{
	uint32_t cur = 0;
	uint8_t *h;

	rx_setup(0, false);
	dev.rx_wake = count_wake;
	wakes = 0;
	fake_vm_queue_rx(&vm, make_frame(60, 0), 60);
	for (unsigned i = 1; i < 7; i++)
		fake_vm_queue_rx(&vm, make_frame(1500, (uint8_t)i), 1500);
	CHECK(!rtl8139_rx_ready(&dev));		/* 68 + 5 x 1508 in: 584 bytes free */
	CHECK(dev.stats.rx_frames == 6 && dev.rx_stalled);
	h = vm.ram + RING;			/* a poll with a budget of one frame */
	cur = (cur + (uint32_t)(h[2] | h[3] << 8) + 4 + 3) & ~3u;
	wr(RTL_CAPR, (uint16_t)(cur - 16), 2);
	wr(RTL_ISR, RTL_INT_ROK, 2);
	CHECK(wakes == 0 && dev.rx_stalled);	/* 652 bytes free: still too few */
	CHECK(rd(RTL_ISR, 2) & RTL_INT_ROK);	/* the next poll reads on */
	CHECK(driver_rx(&cur, 8192) == 5);
	CHECK(wakes == 1 && !dev.rx_stalled);
	CHECK(!(rd(RTL_ISR, 2) & RTL_INT_ROK));	/* all read: acknowledged for good */
	teardown();
}

/* The reader at odd offsets: free space is counted from CAPR + 16 whatever its alignment. */
static void test_rx_capr_odd(void)
{
	rx_setup(0, false);
	deliver(1000, 1);			/* CBR 1008 */
	wr(RTL_CAPR, (uint16_t)(1001 - 16), 2);	/* odd: the driver read past 1001 */
	CHECK(!(rd(RTL_CR, 1) & RTL_CR_BUFE));
	wr(RTL_CAPR, (uint16_t)(1008 - 16), 2);
	CHECK(rd(RTL_CR, 1) & RTL_CR_BUFE);
	wr(RTL_CAPR, 1007, 2);			/* the reader 15 bytes ahead of the writer */
	deliver(60, 2);				/* 68 >= 15 free: dropped */
	CHECK(rd(RTL_CBR, 2) == 1008 && rd(RTL_MPC, 4) == 1);
	wr(RTL_CAPR, (uint16_t)(1077 - 16 - 1), 2);	/* 1076 - 1008 = 68 free: still too few */
	deliver(60, 3);
	CHECK(rd(RTL_CBR, 2) == 1008 && rd(RTL_MPC, 4) == 2);
	wr(RTL_CAPR, (uint16_t)(1077 - 16), 2);	/* 69 free: fits */
	deliver(60, 4);
	CHECK(rd(RTL_CBR, 2) == 1076);
	CHECK(ring_has(8192, 1008, 60, 4, false));
	wr(RTL_CAPR, 0xfff3, 2);		/* reader at 3 (mod 8 KiB), just behind 1076 */
	deliver(1000, 5);
	CHECK(rd(RTL_CBR, 2) == 2084);
	teardown();
}

/* 8139too's multicast hash bit: its own computation of ether_crc() >> 26. */
static unsigned hash_bit(const uint8_t *a)
{
	uint32_t crc = 0xffffffffu;

	for (int i = 0; i < 6; i++) {
		uint8_t o = a[i];

		for (int b = 0; b < 8; b++, o >>= 1)
			crc = (crc << 1) ^ ((((crc >> 31) & 1) ^ (o & 1)) ? 0x04c11db7u : 0);
	}
	return crc >> 26;
}

static void deliver_to(const uint8_t *dst)
{
	uint8_t f[64] = { 0 };

	memcpy(f, dst, 6);
	fake_vm_queue_rx(&vm, f, sizeof(f));
	rtl8139_rx_ready(&dev);
}

static void test_rx_filters(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint64_t got;

	rx_setup(1, true);
	wr(RTL_RCR, (1 << 11) | RTL_RCR_WRAP | RTL_RCR_APM, 4);	/* no broadcast */
	deliver_to(bcast);
	deliver_to(other);
	deliver_to(mcast);
	CHECK(dev.stats.rx_frames == 0 && dev.stats.rx_filtered == 3);
	deliver_to(mac);
	CHECK(dev.stats.rx_frames == 1);
	wr(RTL_RCR, (1 << 11) | RTL_RCR_AB | RTL_RCR_AM, 4);
	deliver_to(bcast);
	CHECK(dev.stats.rx_frames == 2);
	CHECK((vm.ram[RING + 72] | vm.ram[RING + 73] << 8) == (RTL_RX_ROK | RTL_RX_BAR));
	deliver_to(mac);			/* APM off now */
	deliver_to(mcast);			/* AM, but its bit not in MAR */
	CHECK(dev.stats.rx_frames == 2);
	unsigned bit = hash_bit(mcast);
	wr(RTL_MAR0 + bit / 8, 1u << (bit % 8), 1);
	deliver_to(mcast);
	CHECK(dev.stats.rx_frames == 3);
	CHECK((vm.ram[RING + 144] | vm.ram[RING + 145] << 8) == (RTL_RX_ROK | RTL_RX_MAR));
	wr(RTL_MAR0 + bit / 8, 0, 1);
	wr(RTL_RCR, (1 << 11) | RTL_RCR_AAP, 4);	/* promiscuous: everything */
	got = dev.stats.rx_frames;
	deliver_to(other);
	deliver_to(mcast);
	deliver_to(bcast);
	CHECK(dev.stats.rx_frames == got + 3);
	/* Receiver off: nothing lands. */
	wr(RTL_CR, RTL_CR_TE, 1);
	deliver_to(mac);
	CHECK(dev.stats.rx_frames == got + 3);
	teardown();
}

static void test_rx_bad(void)
{
	uint8_t big[RTL8139_RX_MAX + 1];

	rx_setup(3, false);
	memset(big, 0, sizeof(big));
	memcpy(big, mac, 6);
	fake_vm_queue_rx(&vm, big, sizeof(big));	/* longer than 8139too takes */
	fake_vm_queue_rx(&vm, big, 10);			/* shorter than a header */
	fake_vm_queue_rx(&vm, big, RTL8139_RX_MAX);	/* the largest */
	rtl8139_rx_ready(&dev);
	CHECK(dev.stats.rx_bad_size == 2 && dev.stats.rx_frames == 1);
	CHECK(rd(RTL_CBR, 2) == RTL8139_RX_MAX + 8);
	/* A ring outside RAM: the frame is lost, the model keeps going. */
	wr(RTL_RBSTART, FAKE_RAM_SIZE - 16, 4);
	deliver(100, 1);
	CHECK(dev.stats.rx_bad_addr == 1 && rd(RTL_CBR, 2) == RTL8139_RX_MAX + 8);
	teardown();
}

/* 8139too's rtl8139_init_board() and rtl8139_hw_start(), in order; then both BARs agree. */
static void test_driver_open(void)
{
	uint8_t a[8], b[8];

	setup();
	wr(0x5b, 'R', 1);				/* HltClk */
	CHECK(rd(RTL_TCR, 4) != 0xffffffffu);
	uint8_t c1 = (uint8_t)rd(RTL_CONFIG1, 1);
	CHECK(!(c1 & 0x10));				/* no LWAKE to clear */
	wr(RTL_9346CR, 0xc0, 1);
	wr(RTL_CONFIG1, c1 | 0x01, 1);			/* PM enable */
	wr(RTL_9346CR, 0, 1);
	CHECK(rd(RTL_CONFIG1, 1) == (c1 | 0x01u));
	CHECK(!(rd(RTL_CONFIG4, 1) & 0x04));		/* LWPTN */
	wr(RTL_CR, RTL_CR_RST, 1);
	CHECK(!(rd(RTL_CR, 1) & RTL_CR_RST));
	wr(RTL_9346CR, 0xc0, 1);
	wr(RTL_IDR0, 0x00545253, 4);
	wr(RTL_IDR0 + 4, 0x5634, 4);
	wr(RTL_RBSTART, RING, 4);
	wr(RTL_CR, RTL_CR_RE | RTL_CR_TE, 1);
	wr(RTL_RCR, 0x0000f78a, 4);
	wr(RTL_TCR, 0x03000700, 4);
	wr(RTL_CONFIG3, rd(RTL_CONFIG3, 1) & ~0x20u, 1);
	wr(RTL_9346CR, 0, 1);
	for (unsigned i = 0; i < 4; i++)
		wr(RTL_TSAD0 + 4 * i, 0x1000 + 0x800 * i, 4);
	wr(RTL_MPC, 0, 4);
	wr(RTL_MULINT, rd(RTL_MULINT, 2) & 0xf000, 2);
	CHECK((rd(RTL_CR, 1) & (RTL_CR_RE | RTL_CR_TE)) == (RTL_CR_RE | RTL_CR_TE));
	wr(RTL_IMR, 0xe07f, 2);
	CHECK(rd(RTL_RCR, 4) == 0x0000f78a);
	CHECK(rd(RTL_TCR, 4) == (0x03000700 | RTL8139_TCR_HWVER));
	CHECK(rd(RTL_IDR0, 4) == 0x00545253 && rd(RTL_IDR0 + 4, 2) == 0x5634);
	CHECK(rd(RTL_CR, 1) & RTL_CR_BUFE);
	CHECK(!vm.irq);
	/* The PHY as mii_check_media() reads it: link, and 100 full duplex agreed. */
	CHECK((rd(RTL_BMSR, 2) & 0x0004) && (rd(RTL_ANAR, 2) & rd(RTL_ANLPAR, 2) & 0x0100));
	for (unsigned off = 0; off < RTL8139_REGS_SIZE; off += 8) {
		rtl8139_pio(&dev, off, a, 8, false);
		rtl8139_mmio(&dev, off, b, 8, false);
		CHECK(!memcmp(a, b, 8));
	}
	teardown();
}

#define RACE_FRAMES 3000u

/* The I/O thread: frame I carries I in its payload; a frame the full ring dropped is offered again. */
static void *race_io(void *arg)
{
	uint8_t f[1514];

	for (uint32_t i = 0; i < RACE_FRAMES;) {
		size_t len = 60 + (i * 97) % 1400;
		uint64_t full = dev.stats.rx_ring_full;	/* only this thread receives */

		memcpy(f, mac, 6);
		memset(f + 6, 0, 8);
		memcpy(f + 14, &i, 4);
		for (size_t k = 18; k < len; k++)
			f[k] = (uint8_t)(i + k);
		fake_vm_queue_rx(&vm, f, len);
		rtl8139_rx_ready(&dev);
		if (dev.stats.rx_ring_full == full)
			i++;
		else
			sched_yield();
	}
	return NULL;
}

/* The guest reads the ring on a vCPU while the I/O thread fills it: every frame, whole and in order. */
static void test_rx_concurrent(void)
{
	uint32_t cur = 0, want = 0, bad = 0;
	pthread_t t;

	rx_setup(0, true);
	pthread_create(&t, NULL, race_io, NULL);
	for (unsigned long spins = 0; want < RACE_FRAMES && spins < 100000000ul; spins++) {
		if (rd(RTL_CR, 1) & RTL_CR_BUFE) {
			sched_yield();
			continue;
		}
		uint8_t *h = vm.ram + RING + cur % 8192;
		uint32_t size = h[2] | h[3] << 8, seq;
		size_t len = 60 + (want * 97) % 1400;

		memcpy(&seq, h + 4 + 14, 4);
		if (seq != want || size != len + 4 || h[4 + len - 1] != (uint8_t)(want + len - 1) ||
		    !fcs_ok(h + 4, len))
			bad++;
		want++;
		cur = (cur + size + 4 + 3) & ~3u;
		wr(RTL_CAPR, (uint16_t)(cur - 16), 2);
	}
	pthread_join(t, NULL);
	CHECK(want == RACE_FRAMES && bad == 0);
	CHECK(dev.stats.rx_frames == RACE_FRAMES);
	teardown();
}

int main(void)
{
	RUN(test_driver_open);
	RUN(test_identity_and_eeprom);
	RUN(test_reset);
	RUN(test_isr_imr_level);
	RUN(test_tx_each_slot);
	RUN(test_tx_bad);
	RUN(test_rx_basic);
	RUN(test_rx_wrap);
	RUN(test_rx_full);
	RUN(test_rx_backpressure);
	RUN(test_rx_stall_keeps_rok);
	RUN(test_rx_capr_odd);
	RUN(test_rx_filters);
	RUN(test_rx_bad);
	RUN(test_rx_concurrent);
	free(vm.ram);
	return CHECK_SUMMARY();
}
