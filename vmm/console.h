/* The machine's console plumbing: which guest port or UART feeds which of capsule's fds. */
#ifndef CAPSULE_CONSOLE_H
#define CAPSULE_CONSOLE_H

#include <stdbool.h>

#include "backend/chardev_stdio.h"
#include "legacy/uart_8250.h"
#include "virtio/virtio_bus.h"
#include "virtio/virtio_console.h"

/* The virtio-console's ports; the guest finds the named ones by name. */
enum console_port {
	CONSOLE_PORT_TERMINAL,	/* hvc0: the shell, kernel and init messages */
	CONSOLE_PORT_STDIN,	/* a workload's stdin, when capsule's is not a terminal */
	CONSOLE_PORT_STDOUT,
	CONSOLE_PORT_STDERR,
	CONSOLE_PORTS,
};

struct console {
	struct chardev_stdio input;	/* capsule's stdin */
	struct uart_8250 uart;		/* COM1: boot messages before hvc0 exists */
	struct virtio_console vcon;
	unsigned input_port;		/* where stdin goes */
	int console_fd;			/* where hvc0 and the UART write */
};

/*
 * Set up COM1 and a virtio-console on BUS. WORKLOAD_PORTS: a workload runs
 * with its stdin, stdout and stderr on their own ports, wired byte for byte to
 * capsule's (hvc0 then writes to capsule's stderr); otherwise the terminal
 * (or whatever stdin and stdout are) is hvc0. Dies on failure.
 */
void console_init(struct console *con, struct vm *vm, struct event_loop *loop,
		  struct virtio_bus *bus, bool workload_ports);

/* Whether capsule's stdin is a terminal (then in raw mode). */
bool console_is_tty(const struct console *con);

#endif
