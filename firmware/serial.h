/* Polled output on COM1, for the firmware's few messages. */
#ifndef FW_SERIAL_H
#define FW_SERIAL_H

/* Writes s, turning "\n" into "\r\n". Needs no setup: 8250s accept THR writes from reset. */
void serial_puts(const char *s);

#endif
