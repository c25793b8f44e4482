/* The machine's console plumbing: which guest port or UART feeds which of capsule's fds. */
#ifndef CAPSULE_CONSOLE_H
#define CAPSULE_CONSOLE_H

#include <stdbool.h>

#include "backend/chardev_fd.h"
#include "backend/chardev_stdio.h"
#include "console_feed.h"
#include "legacy/uart_8250.h"
#include "virtio/virtio_bus.h"
#include "virtio/virtio_console.h"

/* What each virtio-console port carries; the guest finds the named ones by name. */
enum console_role {
	CONSOLE_TERMINAL,	/* port 0, hvc0: the shell, kernel and init messages */
	CONSOLE_STDIN,		/* a workload's stdin, when capsule's is not a terminal */
	CONSOLE_STDOUT,
	CONSOLE_STDERR,
	CONSOLE_COPY_IN,	/* --copy-in's tar stream, from a helper's pipe */
	CONSOLE_COPY_OUT,	/* --copy-out's tar stream, to a helper's pipe */
	CONSOLE_ROLES,
};

/* What the console carries besides the terminal. */
struct console_options {
	bool workload_ports;	/* a workload's stdin, stdout, stderr on ports of their own */
	int tty;		/* the workload gets the terminal (hvc0): 1 yes, 0 no, -1 when stdin is one */
	int copy_in_fd;		/* a non-blocking pipe with --copy-in's stream, or -1 */
	int copy_out_fd;	/* a non-blocking pipe for --copy-out's stream, or -1 */
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
	bool tty;			/* the workload (or shell) has hvc0 as its terminal */
	struct console_sink *console_sink;	/* where hvc0 and the UART write */
	enum console_role role[VIRTIO_CONSOLE_PORTS_MAX];	/* of each port */
	unsigned port[CONSOLE_ROLES];	/* the port of each role; 0 for none (but the terminal) */
	unsigned nports;
	struct console_feed copy_in;
	struct console_sink copy_out;	/* to the --copy-out helper's pipe, until the guest closes */
	int copy_out_closed;		/* eventfd: the guest closed its copy-out port */
};

/*
 * Set up COM1 and a virtio-console on BUS. O->workload_ports: a workload runs
 * with its stdin, stdout and stderr on their own ports, wired byte for byte to
 * capsule's (hvc0 then writes to capsule's stderr) unless it gets the terminal (O->tty);
 * otherwise the terminal (or whatever stdin and stdout are) is hvc0. Then the
 * copy ports O asks for (a terminal alone makes a console without MULTIPORT). A port whose fd is full waits
 * in the device until the fd drains; nothing else does. Pipes and terminals
 * are reopened (chardev_fd.h): call it before the jail. Dies on failure.
 */
void console_init(struct console *con, struct vm *vm, struct event_loop *loop,
		  struct virtio_bus *bus, const struct console_options *o);

/* The copy streams' pipes closed, if a stream has not ended (the VM has). At exit. */
void console_close_copies(struct console *con);

/* Start the console's threads (a stdin copier, if stdin needs one), each calling ENTER first. */
void console_start(struct console *con, void (*enter)(void));

/* Whether the guest's terminal is the workload's (for the shell: whether stdin is a terminal). */
bool console_is_tty(const struct console *con);

/* The size of capsule's terminal into *ROWS, *COLS; 0 and 0 when stdin is none. */
void console_size(const struct console *con, unsigned *rows, unsigned *cols);

/* capsule's terminal changed size (SIGWINCH): tell the guest's. Nothing when stdin is no terminal. */
void console_resize(struct console *con);

#endif
