/* A PS/2 keyboard behind the i8042: the commands Linux's atkbd probe sends, and keys the monitor types. */
#include "legacy/ps2_kbd.h"

#include <errno.h>
#include <string.h>

#define KBD_SET_LEDS 0xed
#define KBD_ECHO 0xee
#define KBD_SCANCODE_SET 0xf0
#define KBD_IDENTIFY 0xf2
#define KBD_TYPEMATIC 0xf3
#define KBD_ENABLE 0xf4
#define KBD_DISABLE 0xf5	/* and restore the defaults */
#define KBD_DEFAULTS 0xf6
#define KBD_RESEND 0xfe
#define KBD_RESET 0xff

#define ANSWER_ACK 0xfa
#define ANSWER_RESEND 0xfe	/* also "not understood" */
#define ANSWER_SELF_TEST_OK 0xaa
#define ID_MF2_FIRST 0xab	/* an MF2 keyboard: 0xab 0x83 */
#define ID_MF2_SECOND 0x83
#define OUR_SET 2
#define TYPEMATIC_DEFAULT 0x2b	/* 10.9 characters a second after 500 ms */

static void push(struct ps2_kbd *kbd, uint8_t b)
{
	/* Answers follow a command, which emptied the queue: they always fit. */
	if (kbd->count < PS2_KBD_QUEUE)
		kbd->queue[(kbd->head + kbd->count++) % PS2_KBD_QUEUE] = b;
}

static void defaults(struct ps2_kbd *kbd)
{
	kbd->leds = 0;
	kbd->typematic = TYPEMATIC_DEFAULT;
}

void ps2_kbd_init(struct ps2_kbd *kbd)
{
	memset(kbd, 0, sizeof(*kbd));
	defaults(kbd);
}

/* The parameter byte of an earlier command. */
static void parameter(struct ps2_kbd *kbd, uint8_t cmd, uint8_t p)
{
	if (cmd == KBD_SET_LEDS) {
		kbd->leds = p & 7;
	} else if (cmd == KBD_TYPEMATIC) {
		kbd->typematic = p;
	} else if (p == 0) {		/* 0xf0 0x00: which set? */
		push(kbd, ANSWER_ACK);
		push(kbd, OUR_SET);
		return;
	} else if (p != OUR_SET) {	/* a set we do not speak: Linux falls back to set 2 */
		push(kbd, ANSWER_RESEND);
		return;
	}
	push(kbd, ANSWER_ACK);
}

static void command(struct ps2_kbd *kbd, uint8_t cmd)
{
	switch (cmd) {
	case KBD_SET_LEDS:
	case KBD_TYPEMATIC:
	case KBD_SCANCODE_SET:
		kbd->param_for = cmd;
		push(kbd, ANSWER_ACK);
		break;
	case KBD_IDENTIFY:
		push(kbd, ANSWER_ACK);
		push(kbd, ID_MF2_FIRST);
		push(kbd, ID_MF2_SECOND);
		break;
	case KBD_ENABLE:
		kbd->scanning = true; kbd->count = 0;
		push(kbd, ANSWER_ACK);
		break;
	case KBD_DISABLE:
		kbd->scanning = false;
		defaults(kbd);
		push(kbd, ANSWER_ACK);
		break;
	case KBD_DEFAULTS:
		defaults(kbd);
		push(kbd, ANSWER_ACK);
		break;
	case KBD_RESET:
		/* Scanning stays off until the driver enables it, as at power on. */
		kbd->scanning = false;
		defaults(kbd);
		push(kbd, ANSWER_ACK);
		push(kbd, ANSWER_SELF_TEST_OK);
		break;
	default:			/* set-3-only commands and garbage */
		push(kbd, ANSWER_RESEND);
		break;
	}
}

void ps2_kbd_receive(struct ps2_kbd *kbd, uint8_t byte)
{
	uint8_t cmd = kbd->param_for;

	if (byte == KBD_ECHO) {
		push(kbd, KBD_ECHO);
		return;
	}
	if (byte == KBD_RESEND) {
		push(kbd, kbd->last);
		return;
	}
	kbd->count = 0;
	kbd->param_for = 0;
	/* Parameters are below 0x80; a byte above is a new command, as on real keyboards. */
	if (cmd && byte < 0x80)
		parameter(kbd, cmd, byte);
	else
		command(kbd, byte);
}

bool ps2_kbd_send(struct ps2_kbd *kbd, uint8_t *byte)
{
	if (!kbd->count)
		return false;
	*byte = kbd->queue[kbd->head];
	kbd->last = *byte;
	kbd->head = (kbd->head + 1) % PS2_KBD_QUEUE;
	kbd->count--;
	return true;
}

int ps2_kbd_type(struct ps2_kbd *kbd, const uint8_t *codes, unsigned n)
{
	if (!kbd->scanning)
		return -EAGAIN;
	if (n > PS2_KBD_QUEUE - kbd->count)
		return -ENOBUFS;
	for (unsigned i = 0; i < n; i++)
		push(kbd, codes[i]);
	return 0;
}
