/* Unit tests of the virtio-console device, driven through fake guest RAM as Linux's virtio_console driver drives it. */
#include "virtio_console_guest.h"

static void probe_and_config(void)
{
	struct t t;
	uint64_t f;

	t_init(&t);
	f = vdrv_device_features(&t.dev);
	CHECK(f & (1ull << VIRTIO_F_VERSION_1));
	CHECK((f & 7) == ((1 << VIRTIO_CONSOLE_F_SIZE) | (1 << VIRTIO_CONSOLE_F_MULTIPORT) |
			  (1 << VIRTIO_CONSOLE_F_EMERG_WRITE)));
	virtio_console_resize(&t.con, 80, 25);
	CHECK(vdrv_read(&t.dev, CFG, 2) == 80 && vdrv_read(&t.dev, CFG + 2, 2) == 25);
	CHECK(vdrv_read(&t.dev, CFG, 8) == (80 | 25u << 16 | (uint64_t)NPORTS << 32));
	CHECK(vdrv_read(&t.dev, CFG + 8, 4) == 0 && vdrv_read(&t.dev, CFG + 12, 4) == 0);
	vdrv_wr(&t.dev, VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK(vdrv_rd(&t.dev, VIRTIO_MMIO_QUEUE_NUM_MAX) == VIRTIO_CONSOLE_CTRL_QUEUE_SIZE);
	vdrv_wr(&t.dev, VIRTIO_MMIO_QUEUE_SEL, 2 * NPORTS + 1);
	CHECK(vdrv_rd(&t.dev, VIRTIO_MMIO_QUEUE_NUM_MAX) == VIRTIO_CONSOLE_DATA_QUEUE_SIZE);
	vdrv_wr(&t.dev, VIRTIO_MMIO_QUEUE_SEL, 2 * NPORTS + 2);
	CHECK(vdrv_rd(&t.dev, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0);
	bring_up(&t, ~0ull);
	CHECK_LOG(&t, "");
	/* Linux sets every queue up; without the control queues the device refuses. */
	vdrv_negotiate(&t.dev, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_CONSOLE_F_MULTIPORT));
	vdrv_setup_queue(&t.dev, 0, 64, ring(0), ring(0) + 0x400, ring(0) + 0x800);
	vdrv_setup_queue(&t.dev, 1, 64, ring(1), ring(1) + 0x400, ring(1) + 0x800);
	vdrv_wr(&t.dev, VIRTIO_MMIO_STATUS, status(&t) | S_DOK);
	CHECK(status(&t) & S_NR);
	t_free(&t);
}

static void control_handshake(void)
{
	struct t t;
	char m[64];
	const uint8_t add0[8] = { 0, 0, 0, 0, MSG(PORT_ADD), 0, 1, 0 };
	uint16_t head;
	uint32_t len;

	t_init(&t);
	CHECK(virtio_console_host_open(&t.con, 1, true) == 0);	/* before boot: no message yet */
	virtio_console_resize(&t.con, 80, 25);
	bring_up(&t, ~0ull);
	/* Two buffers for three PORT_ADDs: the third waits for a buffer. */
	t.no_repost = true;
	post_rx(&t, 2, 128);
	post_rx(&t, 2, 128);
	guest_ctrl(&t, VIRTIO_CONSOLE_BAD_ID, MSG(DEVICE_READY), 1);
	CHECK(used_next(&t, 2, &head, &len) && len == 8);
	CHECK(!memcmp(t.ram + t.addr_of[2][head], add0, 8));
	CHECK(t.irqs >= 1);
	CHECK_STR(ctrl_next(&t, m), "1:1:1");
	CHECK_STR(ctrl_next(&t, m), "");
	t.no_repost = false;
	post_rx(&t, 2, 128);
	kick(&t, 2);
	CHECK_STR(ctrl_next(&t, m), "2:1:1");
	kick(&t, 2);	/* buffers ctrl_next() posted */
	CHECK_STR(ctrl_next(&t, m), "");

	/* PORT_READY: hvc0 with its size; the named ports' state, then their names. */
	guest_ctrl(&t, 0, MSG(PORT_READY), 1);
	CHECK_STR(ctrl_next(&t, m), "0:4:1");
	CHECK_STR(ctrl_next(&t, m), "0:5:0:80x25");
	CHECK_STR(ctrl_next(&t, m), "");
	guest_ctrl(&t, 0, MSG(PORT_OPEN), 1);
	CHECK_LOG(&t, "open0=1;");
	guest_ctrl(&t, 1, MSG(PORT_READY), 1);
	CHECK_STR(ctrl_next(&t, m), "1:6:1");
	CHECK_STR(ctrl_next(&t, m), "1:7:1:stdin");
	guest_ctrl(&t, 2, MSG(PORT_READY), 1);
	CHECK_STR(ctrl_next(&t, m), "2:7:1:stdout");
	CHECK_STR(ctrl_next(&t, m), "");
	/* Once the guest knows the port, host-side changes are sent as they happen. */
	CHECK(virtio_console_host_open(&t.con, 2, true) == 0);
	CHECK_STR(ctrl_next(&t, m), "2:6:1");
	CHECK(virtio_console_host_open(&t.con, 2, true) == 0);
	CHECK_STR(ctrl_next(&t, m), "");
	CHECK(virtio_console_host_open(&t.con, 3, true) == -EINVAL);
	virtio_console_resize(&t.con, 132, 43);
	CHECK_STR(ctrl_next(&t, m), "0:5:0:132x43");
	CHECK(vdrv_read(&t.dev, CFG, 4) == (132 | 43u << 16));
	CHECK_LOG(&t, "");
	CHECK(!(status(&t) & S_NR));
	t_free(&t);
}

static void guest_output(void)
{
	struct t t;
	struct seg s[2];
	uint16_t head;
	uint32_t len;
	unsigned irqs;

	t_init(&t);
	handshake(&t);
	irqs = t.irqs;
	post_tx(&t, 1, "hello", 5);
	kick(&t, 1);
	CHECK_LOG(&t, "out0:hello;");
	CHECK(used_next(&t, 1, &head, &len) && len == 0 && !used_next(&t, 1, &head, &len));
	CHECK(t.irqs == irqs + 1);
	/* A named port, a two-buffer chain (splice). */
	s[0] = (struct seg){ alloc(&t, 3), 3, false };
	s[1] = (struct seg){ alloc(&t, 4), 4, false };
	memcpy(t.ram + s[0].addr, "std", 3);
	memcpy(t.ram + s[1].addr, "out!", 4);
	post(&t, 7, s, 2);
	post_tx(&t, 7, "more", 4);
	kick(&t, 7);
	CHECK_LOG(&t, "out2:stdout!;out2:more;");
	CHECK(used_next(&t, 7, &head, &len) && used_next(&t, 7, &head, &len));
	/* An emergency write is port 0's output; the rest of config space is read-only. */
	vdrv_write(&t.dev, CFG + 8, 'X', 4);
	vdrv_write(&t.dev, CFG + 4, 'Y', 4);
	vdrv_write(&t.dev, CFG, 0xffff, 2);
	CHECK_LOG(&t, "out0:X;");
	CHECK(vdrv_read(&t.dev, CFG, 8) == ((uint64_t)NPORTS << 32));
	t_free(&t);
}

static void host_input(void)
{
	struct t t;
	char b[64];

	t_init(&t);
	handshake(&t);
	/* Nobody in the guest holds port 1: it would discard the bytes. */
	CHECK(virtio_console_input(&t.con, 1, "abc", 3) == 0);
	guest_ctrl(&t, 1, MSG(PORT_OPEN), 1);
	CHECK_LOG(&t, "open1=1;room1;");
	/* Two 4-byte buffers posted: 8 bytes go. */
	CHECK(virtio_console_input(&t.con, 1, "abcdefghij", 10) == 8);
	CHECK_STR(rx_next(&t, 4, b), "abcd");
	CHECK_STR(rx_next(&t, 4, b), "efgh");
	CHECK_STR(rx_next(&t, 4, b), "");
	CHECK(virtio_console_input(&t.con, 1, "ij", 2) == 0);
	CHECK_LOG(&t, "");
	post_rx(&t, 4, 16);
	kick(&t, 4);
	CHECK_LOG(&t, "room1;");
	CHECK(virtio_console_input(&t.con, 1, "ij", 2) == 2);
	CHECK_STR(rx_next(&t, 4, b), "ij");
	/* A kick with nothing turned away owes nothing. */
	post_rx(&t, 4, 16);
	kick(&t, 4);
	CHECK_LOG(&t, "");
	/* The console port, open since hvc0 came up. */
	CHECK(virtio_console_input(&t.con, 0, "ls\r", 3) == 3);
	CHECK_STR(rx_next(&t, 0, b), "ls\r");
	CHECK(virtio_console_input(&t.con, 0, "", 0) == 0);
	CHECK(virtio_console_input(&t.con, NPORTS, "x", 1) == -EINVAL);
	CHECK_LOG(&t, "");
	t_free(&t);
}

/* The host's end of file: data first, then PORT_OPEN 0; Linux's reader drains, then reads 0. */
static void host_close(void)
{
	struct t t;
	char m[64], b[64];

	t_init(&t);
	virtio_console_host_open(&t.con, 1, true);
	handshake(&t);
	guest_ctrl(&t, 1, MSG(PORT_OPEN), 1);
	CHECK(virtio_console_input(&t.con, 1, "last", 4) == 4);
	CHECK(virtio_console_host_open(&t.con, 1, false) == 0);
	CHECK_STR(rx_next(&t, 4, b), "last");
	CHECK_STR(ctrl_next(&t, m), "1:6:0");
	CHECK(virtio_console_host_open(&t.con, 1, false) == 0);
	CHECK_STR(ctrl_next(&t, m), "");
	CHECK(virtio_console_host_open(&t.con, 1, true) == 0);
	CHECK_STR(ctrl_next(&t, m), "1:6:1");
	CHECK_LOG(&t, "open1=1;");
	t_free(&t);
}

/* The guest's end of file: what it wrote before closing reaches the backend before the close. */
static void guest_close(void)
{
	struct t t;

	t_init(&t);
	handshake(&t);
	guest_ctrl(&t, 2, MSG(PORT_OPEN), 1);
	post_tx(&t, 7, "bye", 3);	/* kicked, but the I/O thread saw the control queue first */
	guest_ctrl(&t, 2, MSG(PORT_OPEN), 0);
	CHECK_LOG(&t, "open2=1;out2:bye;open2=0;");
	/* A backend that takes part: the rest waits, and so does the close. */
	guest_ctrl(&t, 2, MSG(PORT_OPEN), 1);
	t.out_limit = 3;
	post_tx(&t, 7, "abcdefgh", 8);
	kick(&t, 7);
	CHECK_LOG(&t, "open2=1;out2:abc;");
	t.out_limit = 0;
	guest_ctrl(&t, 2, MSG(PORT_OPEN), 0);
	CHECK_LOG(&t, "");
	virtio_console_output_ready(&t.con, 2);
	CHECK_LOG(&t, "");
	t.out_limit = 4;
	virtio_console_output_ready(&t.con, 2);
	CHECK_LOG(&t, "out2:defg;");
	t.out_limit = SIZE_MAX;
	virtio_console_output_ready(&t.con, 2);
	CHECK_LOG(&t, "out2:h;open2=0;");
	t_free(&t);
}

/* How many times NEEDLE is in HAYSTACK. */
static unsigned count_of(const char *haystack, const char *needle)
{
	unsigned n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/*
 * A guest that writes without pause gets a turn's budget of chains; the rest
 * waits for a later turn, and so does a close that came after it.
 */
static void output_budget(void)
{
	struct t t;

	t_init(&t);
	handshake(&t);
	guest_ctrl(&t, 2, MSG(PORT_OPEN), 1);
	t.log[0] = 0;
	t.repost_q = 7;
	post_tx(&t, 7, "z", 1);
	kick(&t, 7);
	CHECK(count_of(t.log, "out2:z;") == VIRTIO_MMIO_TURN_BUDGET);
	CHECK(t.dev.deferred & (1u << 7));
	t.log[0] = 0;
	guest_ctrl(&t, 2, MSG(PORT_OPEN), 0);	/* drains a turn's worth, reports no close */
	CHECK(count_of(t.log, "out2:z;") == VIRTIO_MMIO_TURN_BUDGET && !strstr(t.log, "open2"));
	t.log[0] = 0;
	t.repost_q = 0;
	virtio_mmio_queue_notify(&t.dev, 7);	/* the deferred turn: the last chain, then the close */
	CHECK_LOG(&t, "out2:z;open2=0;");
	CHECK(!(t.dev.deferred & (1u << 7)) && !(status(&t) & S_NR));
	t_free(&t);
}

/* After NEEDS_RESET the device stays silent; a reset (the backend hears RESET_LOG) brings it back. */
static void expect_broken(struct t *t, const char *reset_log)
{
	CHECK(status(t) & S_NR);
	CHECK_LOG(t, "");
	kick(t, 1);
	CHECK(virtio_console_input(&t->con, 0, "x", 1) == 0);
	CHECK_LOG(t, "");
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, 0);
	CHECK_LOG(t, reset_log);
	handshake_log(t, "open0=1;room0;");	/* the input turned away above */
	CHECK(!(status(t) & S_NR));
}

static void malformed_chains(void)
{
	struct t t;
	struct seg s[2] = { { BUFS, 4, false }, { BUFS, 4, true } };

	t_init(&t);
	handshake(&t);
	post(&t, 1, s, 2);	/* a tx chain the device would write to */
	kick(&t, 1);
	expect_broken(&t, "open0=0;");
	s[0] = (struct seg){ RAM_SIZE - 2, 16, true };	/* an rx buffer past the end of RAM */
	post(&t, 0, s, 1);
	CHECK(virtio_console_input(&t.con, 0, "abcdefghij", 10) == 8);	/* the good ones */
	expect_broken(&t, "open0=0;");
	s[0] = (struct seg){ BUFS, 4, false };	/* an rx chain the device would read */
	s[1] = (struct seg){ BUFS, 4, true };
	post(&t, 0, s, 2);
	CHECK(virtio_console_input(&t.con, 0, "abcdefghij", 10) == 8);
	expect_broken(&t, "open0=0;");
	s[0] = (struct seg){ RAM_SIZE - 2, 16, false };
	post(&t, 3, s, 1);	/* a control message from outside RAM */
	kick(&t, 3);
	expect_broken(&t, "open0=0;");
	s[0] = (struct seg){ BUFS, 8, true };	/* a control message the device would write to */
	post(&t, 3, s, 1);
	kick(&t, 3);
	expect_broken(&t, "open0=0;");
	vdrv_wr(&t.dev, VIRTIO_MMIO_STATUS, 0);
	CHECK_LOG(&t, "open0=0;");
	bring_up(&t, ~0ull);
	s[0] = (struct seg){ BUFS, 4, true };	/* a control rx buffer too short for a header */
	post(&t, 2, s, 1);
	guest_ctrl(&t, VIRTIO_CONSOLE_BAD_ID, MSG(DEVICE_READY), 1);
	expect_broken(&t, "");
	t_free(&t);
}

static void bad_control_messages(void)
{
	struct t t;
	char m[64];
	struct virtio_console_control c = { 1, MSG(PORT_OPEN), 1 };
	struct seg s[2];
	uint16_t head;
	uint32_t len;

	t_init(&t);
	handshake(&t);
	guest_ctrl(&t, NPORTS, MSG(PORT_OPEN), 1);
	guest_ctrl(&t, 7, MSG(PORT_READY), 1);
	guest_ctrl(&t, 0x80000001, MSG(PORT_OPEN), 1);
	guest_ctrl(&t, 1, 99, 1);
	guest_ctrl(&t, 1, MSG(PORT_ADD), 1);	/* the host's message, not the guest's */
	guest_ctrl(&t, VIRTIO_CONSOLE_BAD_ID, MSG(DEVICE_READY), 0);
	post_tx(&t, 3, &c, 7);	/* short by one byte */
	kick(&t, 3);
	CHECK(used_next(&t, 3, &head, &len));
	CHECK_STR(ctrl_next(&t, m), "");
	CHECK_LOG(&t, "");
	CHECK(!(status(&t) & S_NR));
	/* A message split over two buffers is one message. */
	s[0] = (struct seg){ alloc(&t, 4), 4, false };
	s[1] = (struct seg){ alloc(&t, 4), 4, false };
	memcpy(t.ram + s[0].addr, &c, 4);
	memcpy(t.ram + s[1].addr, (uint8_t *)&c + 4, 4);
	post(&t, 3, s, 2);
	kick(&t, 3);
	CHECK_LOG(&t, "open1=1;");
	t_free(&t);
}

/* A driver that asks and asks without posting control buffers fills a bounded backlog. */
static void control_backlog(void)
{
	struct t t;
	char m[64], want[16];
	unsigned n = 0;

	t_init(&t);
	bring_up(&t, ~0ull);
	for (int i = 0; i < 30; i++)
		guest_ctrl(&t, VIRTIO_CONSOLE_BAD_ID, MSG(DEVICE_READY), 1);
	post_rx(&t, 2, 128);
	kick(&t, 2);
	while (*ctrl_next(&t, m)) {
		snprintf(want, sizeof(want), "%u:1:1", n++ % NPORTS);
		CHECK_STR(m, want);
	}
	CHECK(n == VIRTIO_CONSOLE_CTRL_PENDING);
	CHECK(!(status(&t) & S_NR));
	t_free(&t);
}

/* A driver without MULTIPORT: port 0 only, no control queue, the size in config space. */
static void single_port_driver(void)
{
	struct t t;
	char b[64];
	uint32_t gen;

	t_init(&t);
	bring_up(&t, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_CONSOLE_F_SIZE));
	CHECK_LOG(&t, "open0=1;");
	post_tx(&t, 1, "boot", 4);
	kick(&t, 1);
	CHECK_LOG(&t, "out0:boot;");
	CHECK(virtio_console_input(&t.con, 0, "k", 1) == 0);
	post_rx(&t, 0, 8);
	kick(&t, 0);
	CHECK_LOG(&t, "room0;");
	CHECK(virtio_console_input(&t.con, 0, "k", 1) == 1);
	CHECK_STR(rx_next(&t, 0, b), "k");
	CHECK(virtio_console_input(&t.con, 1, "x", 1) == 0);
	CHECK(virtio_console_host_open(&t.con, 1, true) == 0);
	gen = vdrv_rd(&t.dev, VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_console_resize(&t.con, 100, 30);
	CHECK(vdrv_rd(&t.dev, VIRTIO_MMIO_CONFIG_GENERATION) == gen + 1);
	CHECK(vdrv_read(&t.dev, CFG, 4) == (100 | 30u << 16));
	vdrv_wr(&t.dev, VIRTIO_MMIO_STATUS, 0);
	CHECK_LOG(&t, "open0=0;");
	t_free(&t);
}

/* hvc0 alone is offered without MULTIPORT, so Linux adds it while probing (before /dev/console opens). */
static void lone_console_offers_no_multiport(void)
{
	struct t t;
	uint64_t f;

	CHECK(t_init_n(&t, 1, NULL) == 0);
	f = vdrv_device_features(&t.dev);
	CHECK((f & 7) == ((1 << VIRTIO_CONSOLE_F_SIZE) | (1 << VIRTIO_CONSOLE_F_EMERG_WRITE)));
	bring_up(&t, f & ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_CONSOLE_F_SIZE)));
	CHECK_LOG(&t, "open0=1;");
	t_free(&t);
}

static void init_arguments(void)
{
	struct t t;
	const char *const dup[] = { "a", "b", "a" };
	const char *const slash[] = { NULL, "x/y" };
	const char *const space[] = { NULL, "x y" };
	const char *const none[] = { "console", NULL };
	const char *const four[] = { "c", "a", "b", "d" };
	char longname[VIRTIO_CONSOLE_NAME_MAX + 1];
	const char *const toolong[] = { NULL, longname };

	memset(longname, 'n', VIRTIO_CONSOLE_NAME_MAX);
	longname[VIRTIO_CONSOLE_NAME_MAX] = 0;
	CHECK(t_init_n(&t, 0, names) == -EINVAL);
	free(t.ram);
	CHECK(t_init_n(&t, VIRTIO_CONSOLE_PORTS_MAX + 1, names) == -EINVAL);
	free(t.ram);
	CHECK(t_init_n(&t, 3, dup) == -EINVAL);
	free(t.ram);
	CHECK(t_init_n(&t, 2, slash) == -EINVAL);
	free(t.ram);
	CHECK(t_init_n(&t, 2, space) == -EINVAL);
	free(t.ram);
	CHECK(t_init_n(&t, 2, none) == -EINVAL);
	free(t.ram);
	CHECK(t_init_n(&t, 2, toolong) == -EINVAL);
	free(t.ram);
	CHECK(t_init_n(&t, 2, NULL) == -EINVAL);
	free(t.ram);
	/* Four ports need ten transport queues. */
	CHECK(t_init_n(&t, 4, four) == (10 > VIRTIO_MMIO_QUEUES_MAX ? -EINVAL : 0));
	free(t.ram);
	CHECK(t_init_n(&t, 1, NULL) == 0);
	t_free(&t);
	longname[VIRTIO_CONSOLE_NAME_MAX - 1] = 0;
	CHECK(t_init_n(&t, 2, toolong) == 0);
	CHECK(!strcmp(t.con.ports[1].name, longname));
	t_free(&t);
}

int main(void)
{
	RUN(probe_and_config);
	RUN(control_handshake);
	RUN(guest_output);
	RUN(host_input);
	RUN(host_close);
	RUN(guest_close);
	RUN(output_budget);
	RUN(malformed_chains);
	RUN(bad_control_messages);
	RUN(control_backlog);
	RUN(single_port_driver);
	RUN(lone_console_offers_no_multiport);
	RUN(init_arguments);
	return CHECK_SUMMARY();
}
