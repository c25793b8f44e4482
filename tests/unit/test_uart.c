/* Unit tests of the 16550A model: Linux's probe sequence, interrupts, input flow control. */
#include "check.h"
#include "legacy/uart_8250.h"

static int irq_level = -1;
static char out[256];
static size_t out_len;
static int room_calls;

/* Stands in for the KVM call the UART makes. */
void vm_set_irq(struct vm *vm, unsigned irq, int level)
{
	(void)vm;
	(void)irq;
	irq_level = level;
}

static void be_write(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	memcpy(out + out_len, buf, len);
	out_len += len;
}

static void be_room(void *opaque)
{
	(void)opaque;
	room_calls++;
}

static struct uart_8250 u;
static struct vm vm;

static void setup(void)
{
	struct uart_8250_backend be = { be_write, be_room, NULL };

	memset(&vm, 0, sizeof(vm));
	io_bus_init(&vm.pio, "pio");
	uart_8250_init(&u, &vm, 0x3f8, 4, &be);
	irq_level = -1;
	out_len = 0;
	room_calls = 0;
}

static uint8_t in(unsigned reg)
{
	uint8_t v;

	io_bus_dispatch(&vm.pio, 0x3f8 + reg, &v, 1, false);
	return v;
}

static void outp(unsigned reg, uint8_t v)
{
	io_bus_dispatch(&vm.pio, 0x3f8 + reg, &v, 1, true);
}

/* What drivers/tty/serial/8250 checks before it trusts a port. */
static void linux_probe(void)
{
	setup();
	outp(1, 0);
	CHECK((in(1) & 0x0f) == 0);
	outp(1, 0x0f);
	CHECK((in(1) & 0x0f) == 0x0f);
	outp(1, 0);
	outp(7, 0xa5);
	CHECK(in(7) == 0xa5);
	outp(4, 0x10 | 0x0a);	/* loopback, RTS, OUT2 */
	CHECK((in(6) & 0xf0) == 0x90);
	outp(4, 0);
	outp(2, 0x01);		/* FIFO on: a 16550A answers 0xc0 in IIR */
	CHECK((in(2) & 0xc0) == 0xc0);
	outp(3, 0x80);		/* DLAB: divisor latch */
	outp(0, 0x01);
	outp(1, 0x00);
	CHECK(in(0) == 0x01);
	outp(3, 0x03);
	CHECK(in(3) == 0x03);
}

static void transmit_and_thri(void)
{
	setup();
	outp(0, 'h');
	outp(0, 'i');
	CHECK(out_len == 2 && !memcmp(out, "hi", 2));
	CHECK(in(5) & 0x60);		/* THRE and TEMT */
	CHECK(irq_level == -1);		/* no interrupt enabled yet */
	outp(1, 0x02);			/* THRI */
	CHECK(irq_level == 1);
	CHECK((in(2) & 0x0f) == 0x02);	/* reading IIR acknowledges it */
	CHECK(irq_level == 0);
	CHECK((in(2) & 0x0f) == 0x01);
	outp(0, '!');
	CHECK(irq_level == 1);
}

static void loopback_data(void)
{
	setup();
	outp(4, 0x10);
	outp(0, 'x');
	CHECK(out_len == 0);
	CHECK(in(5) & 0x01);
	CHECK(in(0) == 'x');
	CHECK(!(in(5) & 0x01));
}

static void receive_and_flow_control(void)
{
	static uint8_t big[UART_8250_RX_SIZE + 100];

	setup();
	outp(1, 0x01);			/* RDI */
	CHECK(uart_8250_receive(&u, (const uint8_t *)"ab", 2) == 2);
	CHECK(irq_level == 1 && (in(2) & 0x0f) == 0x04);
	CHECK(in(0) == 'a' && in(0) == 'b');
	CHECK(irq_level == 0 && !(in(5) & 1));
	memset(big, 'z', sizeof(big));
	CHECK(uart_8250_receive(&u, big, sizeof(big)) == UART_8250_RX_SIZE);
	CHECK(room_calls == 0);
	for (unsigned i = 0; i < UART_8250_RX_SIZE / 2 + 1; i++)
		in(0);
	CHECK(room_calls == 1);
	/* Clearing the FIFO also makes room. */
	CHECK(uart_8250_receive(&u, big, sizeof(big)) > 0);
	outp(2, 0x03);
	CHECK(!(in(5) & 1) && room_calls == 2);
}

static void odd_accesses(void)
{
	uint8_t d[4] = { 1, 2, 3, 4 };

	setup();
	io_bus_dispatch(&vm.pio, 0x3f8, d, 4, false);	/* 32-bit read: not a UART access */
	CHECK(d[0] == 0xff && d[3] == 0xff);
	io_bus_dispatch(&vm.pio, 0x3f8, d, 2, true);
	CHECK(out_len == 0);
	outp(5, 0);					/* LSR is read-only */
	CHECK(in(5) == 0x60);
}

int main(void)
{
	RUN(linux_probe);
	RUN(transmit_and_thri);
	RUN(loopback_data);
	RUN(receive_and_flow_control);
	RUN(odd_accesses);
	return CHECK_SUMMARY();
}
