/* The i8042 keyboard controller with a PS/2 keyboard behind it, no mouse, and its reset line. */
#include "legacy/i8042.h"

#include <string.h>

#include "log.h"

#define I8042_DATA 0x60
#define I8042_COMMAND 0x64	/* 4 bytes above the data port */

#define STATUS_OBF 0x01		/* output buffer full */
#define STATUS_SYS 0x04		/* self test passed */
#define STATUS_CMD 0x08		/* last write was to the command port */
#define STATUS_UNLOCKED 0x10	/* no key lock inhibits the keyboard */

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

#define CTR_KBD_INT 0x01	/* a keyboard byte in the output buffer raises IRQ 1 */
#define CTR_KBD_DISABLED 0x10	/* the keyboard's clock held: its bytes wait in it */
#define CTR_AUX_DISABLED 0x20
#define CTR_XLATE 0x40		/* translate the keyboard's set 2 into set 1 */
#define SELF_TEST_OK 0x55
#define AUX_TEST_CLOCK_HIGH 0x02	/* the AUX clock line idles: no device there */
#define SET2_RELEASE 0xf0	/* prefix of a key release in set 2 */
#define SET1_RELEASE 0x80	/* bit of a key release in set 1 */

/*
 * Set 2 to set 1, for the bytes this keyboard sends (its keys and answers);
 * every other byte it sends (0xfa, 0xaa, 0xab, 0xe0, 0xee, 0xfe) is its own
 * translation.
 */
static uint8_t translate(uint8_t b)
{
	switch (b) {
	case 0x02:			/* "set 2", the answer to 0xf0 0x00 */
	case 0x83:			/* the ID's second byte */
		return 0x41;
	case 0x11:			/* left Alt */
		return 0x38;
	case 0x14:			/* left Ctrl */
		return 0x1d;
	case 0x71:			/* Delete, after 0xe0 */
		return 0x53;
	default:
		return b;
	}
}

/*
 * IRQ 1 follows a keyboard byte in the output buffer when the command byte
 * allows it. Controller answers raise nothing: Linux polls for those, and a
 * silent line saves the guest an interrupt (and us exits) for each.
 */
static void update_irq(struct i8042 *kbc)
{
	bool level = (kbc->status & STATUS_OBF) && kbc->out_from_kbd && (kbc->ctr & CTR_KBD_INT);

	if (level != kbc->irq_level) {
		kbc->irq_level = level;
		vm_set_irq(kbc->vm, I8042_KBD_IRQ, level);
	}
}

/* Move the keyboard's next byte into an empty output buffer, if its clock runs. */
static void fill(struct i8042 *kbc)
{
	uint8_t b;

	while (!(kbc->status & STATUS_OBF) && !(kbc->ctr & CTR_KBD_DISABLED) &&
	       ps2_kbd_send(&kbc->kbd, &b)) {
		if (!(kbc->ctr & CTR_XLATE)) {
			kbc->out = b;
		} else if (b == SET2_RELEASE) {
			kbc->xlate_break = true;	/* swallowed: it marks the next byte */
			continue;
		} else {
			kbc->out = translate(b) | (kbc->xlate_break ? SET1_RELEASE : 0);
			kbc->xlate_break = false;
		}
		kbc->out_from_kbd = true;
		kbc->status |= STATUS_OBF;
	}
	update_irq(kbc);
}

/* A controller answer takes the output buffer (a keyboard byte still there is lost, as on hardware). */
static void reply(struct i8042 *kbc, uint8_t v)
{
	kbc->out = v;
	kbc->out_from_kbd = false;
	kbc->status |= STATUS_OBF;
	update_irq(kbc);
}

static void set_ctr(struct i8042 *kbc, uint8_t ctr)
{
	kbc->ctr = ctr;
	fill(kbc);
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
		set_ctr(kbc, kbc->ctr | CTR_KBD_DISABLED);
		break;
	case CMD_ENABLE_KBD:
		set_ctr(kbc, kbc->ctr & (uint8_t)~CTR_KBD_DISABLED);
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
	switch (cmd) {
	case CMD_WRITE_CTR:
		set_ctr(kbc, v);
		return false;
	case CMD_AUX_LOOP:
		/*
		 * The loopback comes back at once, but as keyboard data (no AUX
		 * bit), which tells Linux there is no AUX port. Left unanswered,
		 * its probe polls the status register 10000 times: 10000 VM exits.
		 */
		reply(kbc, v);
		return false;
	case CMD_WRITE_OUTPUT:
		/* Output port bit 0 low holds the CPU in reset. */
		return !(v & 1);
	default:
		/* No controller command waits for it: the byte is for the keyboard. */
		ps2_kbd_receive(&kbc->kbd, v);
		fill(kbc);
		return false;
	}
}

static uint8_t data_read(struct i8042 *kbc)
{
	uint8_t v = kbc->out;	/* an empty buffer reads as its last byte again */

	kbc->status &= (uint8_t)~STATUS_OBF;
	kbc->out_from_kbd = false;
	/* Drop the line, then raise it again for the next byte: IRQ 1 is edge-triggered. */
	update_irq(kbc);
	fill(kbc);
	return v;
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
	if (!is_write && offset == 0)
		data[0] = data_read(kbc);
	else if (!is_write)
		data[0] = kbc->status;
	else if (offset == 0)
		reset = data_write(kbc, data[0]);
	else
		reset = command(kbc, data[0]);
	pthread_mutex_unlock(&kbc->lock);
	if (reset)
		vm_guest_reset(kbc->vm, "rebooted");
}

int i8042_ctrl_alt_del(struct i8042 *kbc)
{
	/* Left Ctrl, left Alt, Delete pressed; then released in the reverse order. */
	static const uint8_t keys[] = {
		0x14, 0x11, 0xe0, 0x71,
		0xe0, SET2_RELEASE, 0x71, SET2_RELEASE, 0x11, SET2_RELEASE, 0x14,
	};
	int ret;

	pthread_mutex_lock(&kbc->lock);
	ret = ps2_kbd_type(&kbc->kbd, keys, sizeof(keys));
	if (ret == 0)
		fill(kbc);
	pthread_mutex_unlock(&kbc->lock);
	return ret;
}

void i8042_init(struct i8042 *kbc, struct vm *vm)
{
	memset(kbc, 0, sizeof(*kbc));
	pthread_mutex_init(&kbc->lock, NULL);
	kbc->vm = vm;
	ps2_kbd_init(&kbc->kbd);
	kbc->status = STATUS_SYS | STATUS_UNLOCKED;
	/* Both ports disabled, no interrupts, no translation: Linux sets what it wants. */
	kbc->ctr = CTR_KBD_DISABLED | CTR_AUX_DISABLED;
	if (io_bus_register(&vm->pio, I8042_DATA, I8042_COMMAND - I8042_DATA + 1, i8042_io, kbc) < 0)
		die("i8042: ports 0x60-0x64 already taken");
}
