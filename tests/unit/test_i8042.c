/* Unit tests of the i8042 model: Linux's probe of the controller and keyboard, typed keys, IRQ 1, the reset line. */
#include <errno.h>

#include "check.h"
#include "legacy/i8042.h"

static int resets;
static int irq_level, irq_edges, irq_other;

/* Stands in for the monitor's reset handling. */
void vm_guest_reset(struct vm *vm, const char *how)
{
	(void)vm;
	(void)how;
	resets++;
}

/* Stands in for KVM's interrupt line: counts rising edges on IRQ 1. */
void vm_set_irq(struct vm *vm, unsigned irq, int level)
{
	(void)vm;
	if (irq != 1) {
		irq_other++;
		return;
	}
	if (level && !irq_level)
		irq_edges++;
	irq_level = level;
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
	resets = irq_level = irq_edges = irq_other = 0;
}

/* What Linux's i8042_interrupt does: one status read, one data read. -1 when the buffer was empty. */
static int irq_read(void)
{
	if (!(in(0x64) & 0x01))
		return -1;
	return in(0x60);
}

/* The next byte, which must come with its own IRQ edge; -1 if none came. */
static int next_with_irq(void)
{
	int edges = irq_edges, v;

	if (!irq_level || irq_edges == 0)
		return -1;
	v = irq_read();
	CHECK(!irq_level || irq_edges == edges + 1);	/* dropped, or dropped and raised again */
	return v;
}

/* Write CTR as Linux's i8042 driver does when it opens the keyboard port. */
static void write_ctr(uint8_t ctr)
{
	outp(0x64, 0x60);
	outp(0x60, ctr);
}

/* Send a keyboard command and check every answer byte arrives, each with an IRQ. */
static void kbd_command(uint8_t cmd, const int *answers, int n)
{
	outp(0x60, cmd);
	for (int i = 0; i < n; i++) {
		int v = next_with_irq();

		if (v != answers[i])
			printf("  command %#x: answer %d is %#x, not %#x\n", cmd, i, v, answers[i]);
		CHECK(v == answers[i]);
	}
	CHECK(!irq_level);
	CHECK(irq_read() == -1);
}

static void linux_probe(void)
{
	setup();
	CHECK(!(in(0x64) & 0x01));	/* nothing to read */
	CHECK(in(0x64) & 0x10);		/* no key lock ("Keylock active" otherwise) */
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
	CHECK(irq_edges == 0);		/* controller answers raise no IRQ */
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

/* atkbd_probe(), atkbd_reset_state() and atkbd_activate() on a port with IRQ 1 on. */
static void atkbd_sequence(uint8_t ctr, int id2)
{
	write_ctr(ctr);
	kbd_command(0xf2, (int[]){ 0xfa, 0xab, id2 }, 3);	/* get ID */
	kbd_command(0xf5, (int[]){ 0xfa }, 1);			/* disable */
	kbd_command(0xed, (int[]){ 0xfa }, 1);			/* LEDs ... */
	kbd_command(0x00, (int[]){ 0xfa }, 1);			/* ... off */
	kbd_command(0xf3, (int[]){ 0xfa }, 1);			/* typematic ... */
	kbd_command(0x00, (int[]){ 0xfa }, 1);			/* ... fastest */
	CHECK(i8042_ctrl_alt_del(&kbc) == -EAGAIN);		/* not scanning yet */
	kbd_command(0xf4, (int[]){ 0xfa }, 1);			/* enable */
}

static void expect_keys(const int *codes, int n)
{
	CHECK(i8042_ctrl_alt_del(&kbc) == 0);
	for (int i = 0; i < n; i++) {
		int v;

		CHECK(in(0x64) & 0x01);
		CHECK(in(0x64) & 0x01);	/* a status read takes nothing */
		v = next_with_irq();
		if (v != codes[i])
			printf("  key byte %d is %#x, not %#x\n", i, v, codes[i]);
		CHECK(v == codes[i]);
	}
	CHECK(!irq_level);
	CHECK(irq_read() == -1);
}

static void ctrl_alt_del_set2(void)
{
	setup();
	atkbd_sequence(0x21, 0x83);	/* KBD interrupt on, AUX off, no translation */
	expect_keys((int[]){ 0x14, 0x11, 0xe0, 0x71, 0xe0, 0xf0, 0x71, 0xf0, 0x11, 0xf0, 0x14 }, 11);
	CHECK(irq_other == 0);
}

/* With XLATE the controller answers in set 1: the ID's 0x83 reads 0x41, releases have bit 7. */
static void ctrl_alt_del_translated(void)
{
	setup();
	atkbd_sequence(0x61, 0x41);
	expect_keys((int[]){ 0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d }, 8);
}

/* Without the interrupt bit, Linux may poll: the bytes are there, IRQ 1 never moves. */
static void irq_only_when_enabled(void)
{
	setup();
	write_ctr(0x20);
	outp(0x60, 0xf2);
	CHECK(irq_read() == 0xfa);
	CHECK(irq_read() == 0xab);
	CHECK(irq_read() == 0x83);
	outp(0x60, 0xf4);
	CHECK(irq_read() == 0xfa);
	CHECK(i8042_ctrl_alt_del(&kbc) == 0);
	CHECK(irq_read() == 0x14);
	CHECK(irq_edges == 0 && !irq_level);
	/* Turning the bit on with a byte waiting raises the line for it. */
	write_ctr(0x21);
	CHECK(irq_level && irq_edges == 1);
	CHECK(irq_read() == 0x11);
}

/* The keyboard's clock held (CTR bit 4, or command 0xad): its bytes wait until 0xae. */
static void disabled_port_holds_bytes(void)
{
	setup();
	write_ctr(0x21);
	outp(0x64, 0xad);
	outp(0x60, 0xf2);
	CHECK(!(in(0x64) & 0x01));
	CHECK(!irq_level);
	outp(0x64, 0xae);
	CHECK(next_with_irq() == 0xfa);
	write_ctr(0x31);		/* held again mid-answer: the byte in the buffer stays */
	CHECK(irq_read() == 0xab);
	CHECK(irq_read() == -1);
	write_ctr(0x21);
	CHECK(next_with_irq() == 0x83);
}

/* A command makes the keyboard drop what it still held: its answer comes first. */
static void command_drops_queued_keys(void)
{
	setup();
	atkbd_sequence(0x21, 0x83);
	CHECK(i8042_ctrl_alt_del(&kbc) == 0);
	CHECK(i8042_ctrl_alt_del(&kbc) == -ENOBUFS);	/* 11 more bytes do not fit in 16 */
	CHECK(next_with_irq() == 0x14);
	CHECK(next_with_irq() == 0x11);
	outp(0x60, 0xed);
	/* 0xe0 was already in the output buffer; then the ACK, nothing of the keys after it. */
	CHECK(next_with_irq() == 0xe0);
	CHECK(next_with_irq() == 0xfa);
	CHECK(irq_read() == -1);
	CHECK(i8042_ctrl_alt_del(&kbc) == 0);	/* room again */
}

static void other_keyboard_commands(void)
{
	setup();
	write_ctr(0x21);
	kbd_command(0xee, (int[]){ 0xee }, 1);			/* echo */
	kbd_command(0xf0, (int[]){ 0xfa }, 1);			/* scan code set ... */
	kbd_command(0x00, (int[]){ 0xfa, 0x02 }, 2);		/* ... which? 2 */
	kbd_command(0xf0, (int[]){ 0xfa }, 1);
	kbd_command(0x03, (int[]){ 0xfe }, 1);			/* set 3: refused */
	kbd_command(0xfe, (int[]){ 0xfe }, 1);			/* resend the last byte */
	kbd_command(0xfb, (int[]){ 0xfe }, 1);			/* a set-3 command */
	kbd_command(0xed, (int[]){ 0xfa }, 1);
	kbd_command(0xf2, (int[]){ 0xfa, 0xab, 0x83 }, 3);	/* a command, not the LEDs */
	kbd_command(0xf4, (int[]){ 0xfa }, 1);
	kbd_command(0xff, (int[]){ 0xfa, 0xaa }, 2);		/* reset: self test passed ... */
	CHECK(i8042_ctrl_alt_del(&kbc) == -EAGAIN);		/* ... and scanning off again */
	CHECK(resets == 0);
}

int main(void)
{
	RUN(linux_probe);
	RUN(no_aux_port);
	RUN(reset_line);
	RUN(ctrl_alt_del_set2);
	RUN(ctrl_alt_del_translated);
	RUN(irq_only_when_enabled);
	RUN(disabled_port_holds_bytes);
	RUN(command_drops_queued_keys);
	RUN(other_keyboard_commands);
	return CHECK_SUMMARY();
}
