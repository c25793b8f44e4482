/* The i8042 keyboard controller with a PS/2 keyboard behind it, no mouse, and its reset line. */
#ifndef CAPSULE_I8042_H
#define CAPSULE_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "legacy/ps2_kbd.h"
#include "vm.h"

#define I8042_KBD_IRQ 1

struct i8042 {
	pthread_mutex_t lock;	/* vCPUs reach the ports, the I/O thread types keys */
	struct vm *vm;
	struct ps2_kbd kbd;
	uint8_t status;		/* status register: output buffer full, last write a command */
	uint8_t ctr;		/* controller configuration ("command byte") */
	uint8_t out;		/* output buffer */
	bool out_from_kbd;	/* the output buffer holds a keyboard byte (which raises IRQ 1) */
	bool xlate_break;	/* translating: a 0xf0 was swallowed, the next byte is a release */
	bool irq_level;		/* what IRQ 1 was last set to */
	uint8_t pending_cmd;	/* command waiting for its data byte, or 0 */
};

/* Claim ports 0x60 and 0x64; command 0xfe (pulse reset) ends the VM. Dies on failure. */
void i8042_init(struct i8042 *kbc, struct vm *vm);

/* The register file, exported for unit tests; the bus calls it. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

/*
 * Press and release Ctrl-Alt-Del on the keyboard (set 2, or set 1 when the
 * command byte asks the controller to translate). The bytes wait in the
 * keyboard and reach the output buffer one at a time, as the guest reads
 * them. Returns 0, -EAGAIN while the guest's driver has not enabled the
 * keyboard, -ENOBUFS while earlier keys still wait. Any thread.
 */
int i8042_ctrl_alt_del(struct i8042 *kbc);

#endif
