/* The machine's console plumbing: which guest port or UART feeds which of capsule's fds. */
#ifndef CAPSULE_CONSOLE_H
#define CAPSULE_CONSOLE_H

#include <stdbool.h>

#include "backend/chardev_fd.h"
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

struct console;

/* One of capsule's output fds, and the ports whose output waits for it to drain. */
struct console_sink {
	struct console *con;
	struct chardev_output out;
	unsigned waiting;		/* bit P: output() took less than port P offered */
};

struct console {
	struct event_loop *loop;
	struct chardev_stdio input;	/* capsule's stdin */
	struct console_sink stdout_sink, stderr_sink;
	struct uart_8250 uart;		/* COM1: boot messages before hvc0 exists */
	struct virtio_console vcon;
	unsigned input_port;		/* where stdin goes */
	struct console_sink *console_sink;	/* where hvc0 and the UART write */
};

/*
 * Set up COM1 and a virtio-console on BUS. WORKLOAD_PORTS: a workload runs
 * with its stdin, stdout and stderr on their own ports, wired byte for byte to
 * capsule's (hvc0 then writes to capsule's stderr); otherwise the terminal
 * (or whatever stdin and stdout are) is hvc0. A port whose fd is full waits
 * in the device until the fd drains; nothing else does. Pipes and terminals
 * are reopened (chardev_fd.h): call it before the jail. Dies on failure.
 */
void console_init(struct console *con, struct vm *vm, struct event_loop *loop,
		  struct virtio_bus *bus, bool workload_ports);

/* Start the console's threads (a stdin copier, if stdin needs one), each calling ENTER first. */
void console_start(struct console *con, void (*enter)(void));

/* Whether capsule's stdin is a terminal (then in raw mode). */
bool console_is_tty(const struct console *con);

#endif
