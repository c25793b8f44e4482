/* libFuzzer target: the i8042 and its PS/2 keyboard driven by a fuzzed guest, with Ctrl-Alt-Del typed between its accesses. */
#include "fuzz_input.h"
#include "legacy/i8042.h"

/*
 * The input: a stream of two-byte accesses, OP then VALUE. OP's low two
 * bits: 0 reads the data port (0x60), 1 the status port (0x64), 2 writes
 * VALUE to the data port, 3 to the command port; OP bit 2 types Ctrl-Alt-Del
 * first, as the monitor's I/O thread may between any two guest accesses; OP
 * bit 3 makes it a 2-byte access to port 0x61 or 0x62 instead (between the
 * two registers). After every step the model must hold its
 * invariants; a broken one aborts.
 */
static bool irq_level;

void vm_guest_reset(struct vm *vm, const char *how)
{
	(void)vm;
	(void)how;
}

void vm_set_irq(struct vm *vm, unsigned irq, int level)
{
	(void)vm;
	if (irq != I8042_KBD_IRQ)
		abort();
	irq_level = level;
}

/* What must hold whatever the guest did. */
static void check(const struct i8042 *kbc)
{
	if (kbc->kbd.count > PS2_KBD_QUEUE || kbc->kbd.head >= PS2_KBD_QUEUE)
		abort();
	/* The line is what the model last said, and only a keyboard byte raises it. */
	if (irq_level != kbc->irq_level)
		abort();
	if (kbc->irq_level && (!(kbc->status & 0x01) || !kbc->out_from_kbd || !(kbc->ctr & 0x01)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm vm;
	static struct i8042 kbc;
	struct fuzz_in in = { data, size };

	memset(&vm, 0, sizeof(vm));
	io_bus_init(&vm.pio, "pio");
	irq_level = false;
	i8042_init(&kbc, &vm);
	while (in.left) {
		uint8_t op = fin_u8(&in), v = fin_u8(&in);
		bool write = op & 2;
		uint64_t port = (op & 1) ? 0x64 : 0x60;

		if (op & 4)
			i8042_ctrl_alt_del(&kbc);
		if (op & 8) {
			uint8_t wide[2] = { v, v };

			io_bus_dispatch(&vm.pio, 0x61 + (op & 1), wide, 2, write);
		} else {
			io_bus_dispatch(&vm.pio, port, &v, 1, write);
		}
		check(&kbc);
	}
	pthread_mutex_destroy(&kbc.lock);
	return 0;
}
