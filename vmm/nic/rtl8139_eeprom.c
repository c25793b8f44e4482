/* The RTL8139's 93C46 serial EEPROM, read the way 8139too bit-bangs it through 9346CR. */
#include <string.h>

#include "nic/rtl8139_impl.h"

/*
 * Microwire: with CS high, each rising SK edge shifts DI in. Leading zeros
 * are ignored until the start bit; then 2 opcode and 6 address bits. A read
 * (opcode 10) drives a dummy 0 on DO, then the word MSB first, one bit per
 * rising edge, and goes on with the next word for as long as CS stays high.
 * Writes and erases are not kept: the contents are the monitor's.
 */
enum { EE_COMMAND, EE_READING, EE_IGNORE };

#define EE_CMD_BITS 9	/* start bit, opcode, address */
#define EE_OP_READ 2

void rtl8139_eeprom_init(struct rtl8139_eeprom *ee, const uint8_t mac[6])
{
	memset(ee, 0, sizeof(*ee));
	ee->words[0] = 0x8129;		/* 8139too: this ID says 6 address bits */
	ee->words[1] = RTL8139_VENDOR_ID;
	ee->words[2] = RTL8139_DEVICE_ID;
	ee->words[3] = RTL8139_SUBSYS_VENDOR;
	ee->words[4] = RTL8139_SUBSYS_ID;
	for (unsigned i = 0; i < 3; i++)	/* words 7-9: the MAC, little-endian */
		ee->words[7 + i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
}

/* CS low (or the chip left programming mode): the command in progress ends. */
void rtl8139_eeprom_release(struct rtl8139_eeprom *ee)
{
	ee->pins = 0;
	ee->state = EE_COMMAND;
	ee->cmd = 0;
	ee->nbits = 0;
	ee->dout = false;
}

static void clock_command(struct rtl8139_eeprom *ee, bool di)
{
	if (ee->nbits == 0 && !di)
		return;		/* before the start bit */
	ee->cmd = (uint16_t)(ee->cmd << 1 | di);
	if (++ee->nbits < EE_CMD_BITS)
		return;
	if (((ee->cmd >> 6) & 3) != EE_OP_READ) {
		ee->state = EE_IGNORE;
		return;
	}
	ee->addr = ee->cmd & (RTL8139_EEPROM_WORDS - 1);
	ee->shift = ee->words[ee->addr];
	ee->left = 16;
	ee->dout = false;	/* the dummy bit */
	ee->state = EE_READING;
}

static void clock_read(struct rtl8139_eeprom *ee)
{
	ee->dout = ee->shift >> 15;
	ee->shift = (uint16_t)(ee->shift << 1);
	if (--ee->left == 0) {	/* sequential read: the next word follows */
		ee->addr = (ee->addr + 1) & (RTL8139_EEPROM_WORDS - 1);
		ee->shift = ee->words[ee->addr];
		ee->left = 16;
	}
}

void rtl8139_eeprom_pins(struct rtl8139_eeprom *ee, uint8_t pins)
{
	bool rising = (pins & RTL_EE_SK) && !(ee->pins & RTL_EE_SK);

	pins &= RTL_EE_CS | RTL_EE_SK | RTL_EE_DI;
	if (!(pins & RTL_EE_CS)) {
		rtl8139_eeprom_release(ee);
		ee->pins = pins;
		return;
	}
	ee->pins = pins;
	if (!rising)
		return;
	if (ee->state == EE_COMMAND)
		clock_command(ee, pins & RTL_EE_DI);
	else if (ee->state == EE_READING)
		clock_read(ee);
}
