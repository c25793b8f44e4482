/* A 16550A UART (COM1): the early console, fed by a character backend on the host. */
#ifndef CAPSULE_UART_8250_H
#define CAPSULE_UART_8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

#define UART_8250_PORTS 8
#define UART_8250_RX_SIZE 4096

/* The host side of the UART. */
struct uart_8250_backend {
	/* The guest transmitted LEN bytes. Runs on a vCPU thread. */
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
	/* The receive buffer, full before, has room again. Runs on a vCPU thread. */
	void (*room)(void *opaque);
	void *opaque;
};

struct uart_8250 {
	pthread_mutex_t lock;	/* vCPU threads access registers, the I/O thread feeds input */
	struct vm *vm;
	unsigned irq;
	struct uart_8250_backend backend;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo_enabled;
	bool thr_ipending;	/* "transmitter empty" interrupt not yet acknowledged */
	bool irq_level;
	bool backend_waiting;	/* receive() turned bytes away; call room() once drained */
	uint8_t rx[UART_8250_RX_SIZE];
	unsigned rx_head, rx_count;
};

/* Set up the UART and claim its ports at BASE on the VM's PIO bus. Dies on failure. */
void uart_8250_init(struct uart_8250 *u, struct vm *vm, uint16_t base, unsigned irq,
		    const struct uart_8250_backend *backend);

/* Queue host input for the guest; returns how many bytes fit (the rest: retry after room()). */
size_t uart_8250_receive(struct uart_8250 *u, const uint8_t *buf, size_t len);

/* The register file, exported for unit tests; the bus calls it. */
void uart_8250_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write);

#endif
