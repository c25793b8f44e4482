/* Polled output on COM1 (0x3f8), for the firmware's few messages. */
#include "serial.h"
#include "io.h"

#define COM1 0x3f8
#define UART_THR 0		/* transmit holding register */
#define UART_LSR 5		/* line status register */
#define LSR_THRE 0x20		/* THR empty: room for the next byte */
#define POLL_LIMIT 100000	/* don't hang for ever on a missing or stuck UART */

static void serial_putc(char c)
{
	unsigned int n;

	for (n = 0; n < POLL_LIMIT; n++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, (unsigned char)c);
}

void serial_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
}
