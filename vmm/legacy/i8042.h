/* The i8042 keyboard controller with no keyboard behind it: enough for Linux's probe, and its reset line. */
#ifndef CAPSULE_I8042_H
#define CAPSULE_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

struct i8042 {
	pthread_mutex_t lock;	/* several vCPUs may probe it */
	struct vm *vm;
	uint8_t status;		/* status register: output buffer full, last write a command */
	uint8_t ctr;		/* controller configuration ("command byte") */
	uint8_t out;		/* output buffer */
	uint8_t pending_cmd;	/* command waiting for its data byte, or 0 */
};

/* Claim ports 0x60 and 0x64; command 0xfe (pulse reset) ends the VM. Dies on failure. */
void i8042_init(struct i8042 *kbc, struct vm *vm);

/* The register file, exported for unit tests; the bus calls it. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

#endif
