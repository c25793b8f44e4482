/* Unit tests of the i8042 model: Linux's probe, the reset line. */
#include "check.h"
#include "legacy/i8042.h"

static int resets;

/* Stands in for the monitor's reset handling. */
void vm_guest_reset(struct vm *vm, const char *how)
{
	(void)vm;
	(void)how;
	resets++;
}

static struct vm vm;
static struct i8042 kbc;

static uint8_t in(uint16_t port)
{
	uint8_t v;

	io_bus_dispatch(&vm.pio, port, &v, 1, false);
	return v;
}

static void outp(uint16_t port, uint8_t v)
{
	io_bus_dispatch(&vm.pio, port, &v, 1, true);
}

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	io_bus_init(&vm.pio, "pio");
	i8042_init(&kbc, &vm);
	resets = 0;
}

static void linux_probe(void)
{
	setup();
	CHECK(!(in(0x64) & 0x01));	/* nothing to read */
	outp(0x64, 0x20);		/* read CTR */
	CHECK(in(0x64) & 0x01);
	CHECK(in(0x60) == 0x30);
	CHECK(!(in(0x64) & 0x01));
	outp(0x64, 0x60);		/* write CTR */
	outp(0x60, 0x47);
	outp(0x64, 0x20);
	CHECK(in(0x60) == 0x47);
	outp(0x64, 0xaa);
	CHECK(in(0x60) == 0x55);
	CHECK(resets == 0);
}

/* i8042_check_aux(): the loopback answers at once without the AUX bit, the AUX test says no device. */
static void no_aux_port(void)
{
	setup();
	outp(0x64, 0xd3);
	outp(0x60, 0x5a);
	CHECK((in(0x64) & 0x21) == 0x01);	/* data waiting, not from AUX */
	CHECK(in(0x60) == 0x5a);
	outp(0x64, 0xa9);
	CHECK(in(0x64) & 0x01);
	CHECK(in(0x60) == 0x02);
	CHECK(resets == 0);
}

static void reset_line(void)
{
	setup();
	outp(0x64, 0xfe);
	CHECK(resets == 1);
	outp(0x64, 0xd1);		/* write output port, bit 0 low: reset */
	outp(0x60, 0xfe);
	CHECK(resets == 2);
	outp(0x64, 0xd1);
	outp(0x60, 0x01);
	CHECK(resets == 2);
	CHECK(in(0x62) == 0xff);	/* between the two ports: nobody */
}

int main(void)
{
	RUN(linux_probe);
	RUN(no_aux_port);
	RUN(reset_line);
	return CHECK_SUMMARY();
}
