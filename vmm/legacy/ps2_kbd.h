/* A PS/2 keyboard behind the i8042: the commands Linux's atkbd probe sends, and keys the monitor types. */
#ifndef CAPSULE_PS2_KBD_H
#define CAPSULE_PS2_KBD_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_KBD_QUEUE 16	/* bytes a keyboard holds for its controller, as real ones do */

/*
 * Speaks scan code set 2 only (the controller translates it to set 1 when its
 * command byte says so). Unlike a real keyboard it starts with scanning off:
 * keys go only to a driver that enabled the keyboard (0xf4), which Linux does
 * last in its probe, so typed keys never land in the middle of the probe.
 */
struct ps2_kbd {
	uint8_t queue[PS2_KBD_QUEUE];	/* answers and key bytes for the controller, oldest first */
	unsigned head, count;
	uint8_t last;			/* the last byte taken, for 0xfe (resend) */
	uint8_t param_for;		/* a command waiting for its parameter byte, or 0 */
	bool scanning;			/* keys may be sent */
	uint8_t leds, typematic;	/* what the driver set: a keyboard without lights keeps them */
};

/* Power on: nothing queued, scanning off. */
void ps2_kbd_init(struct ps2_kbd *kbd);

/*
 * A byte from the controller (the guest's driver): a command or a command's
 * parameter. Its answers queue up; a command first drops whatever was still
 * queued, keys included, as the device answers it before anything else.
 */
void ps2_kbd_receive(struct ps2_kbd *kbd, uint8_t byte);

/* Take the oldest queued byte into *BYTE; false when none waits. */
bool ps2_kbd_send(struct ps2_kbd *kbd, uint8_t *byte);

/*
 * Queue N set-2 bytes (presses and releases), all or none: 0, -EAGAIN while
 * scanning is off, -ENOBUFS when they do not fit behind what is queued.
 */
int ps2_kbd_type(struct ps2_kbd *kbd, const uint8_t *codes, unsigned n);

#endif
