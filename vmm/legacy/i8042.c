/* The i8042 keyboard controller with no keyboard behind it: enough for Linux's probe, and its reset line. */
#include "legacy/i8042.h"

#include <string.h>

#include "log.h"

#define I8042_DATA 0x60
#define I8042_COMMAND 0x64	/* 4 bytes above the data port */

#define STATUS_OBF 0x01		/* output buffer full */
#define STATUS_SYS 0x04		/* self test passed */
#define STATUS_CMD 0x08		/* last write was to the command port */

#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_DISABLE_AUX 0xa7
#define CMD_ENABLE_AUX 0xa8
#define CMD_TEST_AUX 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_TEST_KBD 0xab
#define CMD_DISABLE_KBD 0xad
#define CMD_ENABLE_KBD 0xae
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_AUX_LOOP 0xd3
#define CMD_PULSE_RESET 0xfe

#define CTR_KBD_DISABLED 0x10
#define CTR_AUX_DISABLED 0x20
#define SELF_TEST_OK 0x55
#define AUX_TEST_CLOCK_HIGH 0x02	/* the AUX clock line idles: no device there */

static void reply(struct i8042 *kbc, uint8_t v)
{
	kbc->out = v;
	kbc->status |= STATUS_OBF;
}

/* Returns true when the guest asked for a reset. */
static bool command(struct i8042 *kbc, uint8_t cmd)
{
	kbc->status |= STATUS_CMD;
	switch (cmd) {
	case CMD_READ_CTR:
		reply(kbc, kbc->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
	case CMD_AUX_LOOP:
		kbc->pending_cmd = cmd;
		break;
	case CMD_SELF_TEST:
		reply(kbc, SELF_TEST_OK);
		break;
	case CMD_TEST_KBD:
		reply(kbc, 0);	/* interface test: no error */
		break;
	case CMD_TEST_AUX:
		/*
		 * No AUX port: Linux asks after a failed loopback and gives up
		 * on AUX for this answer, instead of testing its interrupt.
		 */
		reply(kbc, AUX_TEST_CLOCK_HIGH);
		break;
	case CMD_DISABLE_KBD:
		kbc->ctr |= CTR_KBD_DISABLED;
		break;
	case CMD_ENABLE_KBD:
		kbc->ctr &= (uint8_t)~CTR_KBD_DISABLED;
		break;
	case CMD_DISABLE_AUX:
		kbc->ctr |= CTR_AUX_DISABLED;
		break;
	case CMD_ENABLE_AUX:
		kbc->ctr &= (uint8_t)~CTR_AUX_DISABLED;
		break;
	case CMD_PULSE_RESET:
		return true;
	}
	return false;
}

/* Returns true when the guest asked for a reset. */
static bool data_write(struct i8042 *kbc, uint8_t v)
{
	uint8_t cmd = kbc->pending_cmd;

	kbc->status &= (uint8_t)~STATUS_CMD;
	kbc->pending_cmd = 0;
	if (cmd == CMD_WRITE_CTR)
		kbc->ctr = v;
	/*
	 * The loopback comes back at once, but as keyboard data (no AUX bit),
	 * which tells Linux there is no AUX port. Left unanswered, its probe
	 * polls the status register 10000 times: 10000 VM exits at boot.
	 */
	if (cmd == CMD_AUX_LOOP)
		reply(kbc, v);
	/* Output port bit 0 low holds the CPU in reset. */
	return cmd == CMD_WRITE_OUTPUT && !(v & 1);
}

void i8042_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct i8042 *kbc = opaque;
	bool reset = false;

	/* Only bytes at 0x60 and 0x64 are the controller's (0x61 is KVM's speaker port). */
	if (len != 1 || (offset != 0 && offset != I8042_COMMAND - I8042_DATA)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&kbc->lock);
	if (!is_write && offset == 0) {
		data[0] = kbc->out;
		kbc->status &= (uint8_t)~STATUS_OBF;
	} else if (!is_write) {
		data[0] = kbc->status;
	} else if (offset == 0) {
		reset = data_write(kbc, data[0]);
	} else {
		reset = command(kbc, data[0]);
	}
	pthread_mutex_unlock(&kbc->lock);
	if (reset)
		vm_guest_reset(kbc->vm, "rebooted");
}

void i8042_init(struct i8042 *kbc, struct vm *vm)
{
	memset(kbc, 0, sizeof(*kbc));
	pthread_mutex_init(&kbc->lock, NULL);
	kbc->vm = vm;
	kbc->status = STATUS_SYS;
	/* Both ports disabled, no interrupts: there is nothing behind them. */
	kbc->ctr = CTR_KBD_DISABLED | CTR_AUX_DISABLED;
	if (io_bus_register(&vm->pio, I8042_DATA, I8042_COMMAND - I8042_DATA + 1, i8042_io, kbc) < 0)
		die("i8042: ports 0x60-0x64 already taken");
}
