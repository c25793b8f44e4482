/* The machine's console plumbing: which guest port or UART feeds which of capsule's fds. */
#include "console.h"

#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util/iov.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ 4

static const char *const port_names[CONSOLE_PORTS] = {
	"", "capsule.stdin", "capsule.stdout", "capsule.stderr",
};

static struct console_sink *sink_of(struct console *con, unsigned port)
{
	if (port == CONSOLE_PORT_STDOUT)
		return &con->stdout_sink;
	if (port == CONSOLE_PORT_STDERR)
		return &con->stderr_sink;
	return con->console_sink;
}

/*
 * Guest -> host: each port to its fd, taking what the fd takes now and leaving
 * the rest in the device until the fd drains. Runs with the device lock held,
 * on the I/O thread; on a vCPU thread only for an emergency write, which may
 * neither wait nor touch the loop's state.
 */
static size_t port_output(void *opaque, unsigned port, const struct iovec *iov, int iovcnt)
{
	struct console *con = opaque;
	struct console_sink *sink = sink_of(con, port);
	size_t took;

	if (!event_loop_on_thread(con->loop))
		return chardev_output_try(&sink->out, iov, iovcnt);
	took = chardev_output_write(&sink->out, iov, iovcnt);
	if (took < iov_size(iov, (unsigned)iovcnt))
		sink->waiting |= 1u << port;
	return took;
}

/* The fd takes more: the ports held back resume (each may fill it again, and wait again). */
static void sink_drained(void *opaque)
{
	struct console_sink *sink = opaque;
	unsigned waiting = sink->waiting;

	sink->waiting = 0;
	for (unsigned p = 0; p < CONSOLE_PORTS; p++)
		if (waiting & 1u << p)
			virtio_console_output_ready(&sink->con->vcon, p);
}

static void sink_open(struct console_sink *sink, struct console *con, int fd)
{
	sink->con = con;
	chardev_output_open(&sink->out, con->loop, fd, sink_drained, sink);
}

static void port_room(void *opaque, unsigned port)
{
	struct console *con = opaque;

	if (port == con->input_port)
		chardev_stdio_room(&con->input);
}

/* Input waits until a guest process holds the port it goes to. */
static void port_guest_open(void *opaque, unsigned port, bool open)
{
	struct console *con = opaque;

	if (open && port == con->input_port)
		chardev_stdio_start(&con->input);
}

static size_t input_sink(void *opaque, const uint8_t *buf, size_t len)
{
	struct console *con = opaque;
	ssize_t n = virtio_console_input(&con->vcon, con->input_port, buf, len);

	return n > 0 ? (size_t)n : 0;
}

/* All of stdin is in the guest: closing the port is its end of file. */
static void input_eof(void *opaque)
{
	struct console *con = opaque;

	if (con->input_port != CONSOLE_PORT_TERMINAL)
		virtio_console_host_open(&con->vcon, con->input_port, false);
}

/*
 * The UART transmits on a vCPU thread, which waits for a full fd as a slow
 * serial line makes its sender wait: nothing is lost, and the I/O thread goes on.
 */
static void uart_output(void *opaque, const uint8_t *buf, size_t len)
{
	struct console *con = opaque;

	chardev_output_write_all(&con->console_sink->out, buf, len);
}

static void add_virtio_console(struct console *con, struct virtio_bus *bus, bool workload_ports)
{
	struct virtio_console_backend be = { port_output, port_room, port_guest_open, con };
	struct virtio_bus_slot *slot = virtio_bus_reserve(bus);
	unsigned nports = workload_ports ? CONSOLE_PORTS : 1;
	int ret;

	ret = virtio_console_init(&con->vcon, &slot->dev, &bus->vm->mem, &slot->host, nports,
				  port_names, &be);
	if (ret < 0)
		die("virtio-console: %s", strerror(-ret));
	virtio_bus_attach(bus, slot);
	for (unsigned p = CONSOLE_PORT_STDIN; p < nports; p++)
		virtio_console_host_open(&con->vcon, p, true);
}

void console_init(struct console *con, struct vm *vm, struct event_loop *loop,
		  struct virtio_bus *bus, bool workload_ports)
{
	struct uart_8250_backend uart_be = { uart_output, NULL, con };

	memset(con, 0, sizeof(*con));
	con->loop = loop;
	sink_open(&con->stdout_sink, con, STDOUT_FILENO);
	sink_open(&con->stderr_sink, con, STDERR_FILENO);
	chardev_stdio_open(&con->input, loop, !workload_ports, input_sink, con);
	chardev_stdio_on_eof(&con->input, input_eof);
	/* A workload on a terminal gets the terminal: hvc0, as the shell does. */
	if (con->input.tty)
		workload_ports = false;
	con->input_port = workload_ports ? CONSOLE_PORT_STDIN : CONSOLE_PORT_TERMINAL;
	con->console_sink = workload_ports ? &con->stderr_sink : &con->stdout_sink;
	uart_8250_init(&con->uart, vm, COM1_BASE, COM1_IRQ, &uart_be);
	add_virtio_console(con, bus, workload_ports);
}

void console_start(struct console *con, void (*enter)(void))
{
	chardev_stdio_start_copier(&con->input, enter);
}

bool console_is_tty(const struct console *con)
{
	return con->input.tty;
}
