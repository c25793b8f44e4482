/* The machine's console plumbing: which guest port or UART feeds which of capsule's fds. */
#include "console.h"

#include <string.h>
#include <unistd.h>

#include "log.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ 4

static const char *const port_names[CONSOLE_PORTS] = {
	"", "capsule.stdin", "capsule.stdout", "capsule.stderr",
};

/* Guest -> host: each port to its fd. Runs with the device lock held. */
static size_t port_output(void *opaque, unsigned port, const struct iovec *iov, int iovcnt)
{
	struct console *con = opaque;
	int fd = port == CONSOLE_PORT_STDOUT ? STDOUT_FILENO
		 : port == CONSOLE_PORT_STDERR ? STDERR_FILENO : con->console_fd;
	size_t total = 0;

	for (int i = 0; i < iovcnt; i++) {
		chardev_write_fd(fd, iov[i].iov_base, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	return total;
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

static void uart_output(void *opaque, const uint8_t *buf, size_t len)
{
	struct console *con = opaque;

	chardev_write_fd(con->console_fd, buf, len);
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
	chardev_stdio_open(&con->input, loop, !workload_ports, input_sink, con);
	chardev_stdio_on_eof(&con->input, input_eof);
	/* A workload on a terminal gets the terminal: hvc0, as the shell does. */
	if (con->input.tty)
		workload_ports = false;
	con->input_port = workload_ports ? CONSOLE_PORT_STDIN : CONSOLE_PORT_TERMINAL;
	con->console_fd = workload_ports ? STDERR_FILENO : STDOUT_FILENO;
	uart_8250_init(&con->uart, vm, COM1_BASE, COM1_IRQ, &uart_be);
	add_virtio_console(con, bus, workload_ports);
}

bool console_is_tty(const struct console *con)
{
	return con->input.tty;
}
