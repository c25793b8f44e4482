/* The i8042 keyboard controller, only as far as its reset line: how Linux reboots with reboot=k. */
#include "legacy/i8042.h"

#include <string.h>

#include "log.h"

#define I8042_DATA 0x60
#define I8042_COMMAND 0x64
#define CMD_PULSE_RESET 0xfe

/* No keyboard: reads say "nothing to read, ready for a command". */
static void data_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		memset(data, 0, len);
}

static void command_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct vm *vm = opaque;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	if (len == 1 && data[0] == CMD_PULSE_RESET)
		vm_guest_reset(vm, "rebooted");
}

void i8042_init(struct vm *vm)
{
	if (io_bus_register(&vm->pio, I8042_DATA, 1, data_io, vm) < 0 ||
	    io_bus_register(&vm->pio, I8042_COMMAND, 1, command_io, vm) < 0)
		die("i8042: ports 0x60/0x64 already taken");
}
