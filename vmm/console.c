/* The machine's console plumbing: which guest port or UART feeds which of capsule's fds. */
#include "console.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "abi/run_request.h"

#include "log.h"
#include "util/iov.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ 4

static const char *const role_names[CONSOLE_ROLES] = {
	"", "capsule.stdin", "capsule.stdout", "capsule.stderr",
	RUN_COPY_IN_PORT, RUN_COPY_OUT_PORT,
};

static struct console_sink *sink_of(struct console *con, unsigned port)
{
	switch (con->role[port]) {
	case CONSOLE_STDOUT:
		return &con->stdout_sink;
	case CONSOLE_STDERR:
		return &con->stderr_sink;
	case CONSOLE_COPY_OUT:
		return &con->copy_out;
	case CONSOLE_TERMINAL:
		return con->console_sink;
	default:
		return NULL;	/* a port for input only: what the guest writes there is dropped */
	}
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

	if (!sink)
		return iov_size(iov, (unsigned)iovcnt);
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
	for (unsigned p = 0; p < sink->con->nports; p++)
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
	else if (con->role[port] == CONSOLE_COPY_IN)
		console_feed_room(&con->copy_in);
}

/*
 * Input waits until a guest process holds the port it goes to. The guest
 * closing its copy-out port is the end of that stream (every byte it wrote
 * went out before: the device reports the close only then).
 */
static void port_guest_open(void *opaque, unsigned port, bool open)
{
	struct console *con = opaque;
	uint64_t one = 1;

	if (open && port == con->input_port)
		chardev_stdio_start(&con->input);
	else if (open)
		port_room(con, port);
	else if (con->role[port] == CONSOLE_COPY_OUT &&
		 write(con->copy_out_closed, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("console: copy-out eventfd: %s", strerror(errno));
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

	if (con->input_port != 0)
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

/* The copy-out stream has ended: EOF to the helper, and the port closed (init waits for that). */
static void on_copy_out_closed(void *opaque, uint32_t events)
{
	struct console *con = opaque;
	struct chardev_output *out = &con->copy_out.out;
	uint64_t v;

	(void)events;
	if (read(con->copy_out_closed, &v, sizeof(v)) < 0 || out->fd < 0)
		return;
	/* A guest that reopened and wrote again since: the watch, and the loop's hold, go too. */
	if (out->full) {
		event_loop_remove(con->loop, out->fd);
		event_loop_release(con->loop);
		out->full = false;
	}
	close(out->fd);
	out->fd = -1;
	out->gone = true;
	virtio_console_host_open(&con->vcon, con->port[CONSOLE_COPY_OUT], false);
}

static void add_port(struct console *con, enum console_role role)
{
	con->role[con->nports] = role;
	con->port[role] = con->nports++;
}

static void add_virtio_console(struct console *con, struct virtio_bus *bus)
{
	struct virtio_console_backend be = { port_output, port_room, port_guest_open, con };
	struct virtio_bus_slot *slot = virtio_bus_reserve(bus);
	const char *names[VIRTIO_CONSOLE_PORTS_MAX];
	int ret;

	for (unsigned p = 0; p < con->nports; p++)
		names[p] = role_names[con->role[p]];
	ret = virtio_console_init(&con->vcon, &slot->dev, &bus->vm->mem, &slot->host, con->nports,
				  names, &be);
	if (ret < 0)
		die("virtio-console: %s", strerror(-ret));
	virtio_bus_attach(bus, slot);
}

/* Which ports the console has: the terminal, the workload's stdio, the copies. */
static void plan_ports(struct console *con, const struct console_options *o, bool workload_ports)
{
	add_port(con, CONSOLE_TERMINAL);
	if (workload_ports) {
		add_port(con, CONSOLE_STDIN);
		add_port(con, CONSOLE_STDOUT);
		add_port(con, CONSOLE_STDERR);
	}
	if (o->copy_in_fd >= 0)
		add_port(con, CONSOLE_COPY_IN);
	if (o->copy_out_fd >= 0)
		add_port(con, CONSOLE_COPY_OUT);
}

/* The host sides of the ports: stdio open, copy-in fed, copy-out to its helper. */
static void open_ports(struct console *con, const struct console_options *o)
{
	for (unsigned r = CONSOLE_STDIN; r <= CONSOLE_STDERR; r++)
		if (con->port[r])
			virtio_console_host_open(&con->vcon, con->port[r], true);
	if (o->copy_in_fd >= 0)
		console_feed_start(&con->copy_in, &con->vcon, con->port[CONSOLE_COPY_IN], con->loop,
				   o->copy_in_fd);
	if (o->copy_out_fd < 0)
		return;
	con->copy_out.con = con;
	chardev_output_open_own(&con->copy_out.out, con->loop, o->copy_out_fd, sink_drained,
				&con->copy_out);
	con->copy_out_closed = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (con->copy_out_closed < 0 ||
	    event_loop_add(con->loop, con->copy_out_closed, EPOLLIN, on_copy_out_closed, con) < 0)
		die("console: copy-out eventfd: %s", strerror(errno));
	virtio_console_host_open(&con->vcon, con->port[CONSOLE_COPY_OUT], true);
}

void console_init(struct console *con, struct vm *vm, struct event_loop *loop,
		  struct virtio_bus *bus, const struct console_options *o)
{
	struct uart_8250_backend uart_be = { uart_output, NULL, con };
	bool workload_ports = o->workload_ports && o->tty != 1;

	memset(con, 0, sizeof(*con));
	con->loop = loop;
	con->copy_in.room_fd = con->copy_in.src_fd = -1;	/* until a copy-in feed starts */
	con->copy_out.out.fd = con->copy_out_closed = -1;
	sink_open(&con->stdout_sink, con, STDOUT_FILENO);
	sink_open(&con->stderr_sink, con, STDERR_FILENO);
	/* -i without -t: a terminal's bytes, cooked by it, go to the workload's stdin port. */
	chardev_stdio_open(&con->input, loop, !workload_ports, o->tty != 0, input_sink, con);
	chardev_stdio_on_eof(&con->input, input_eof);
	/* A workload on a terminal gets the terminal: hvc0, as the shell does. */
	if (con->input.tty)
		workload_ports = false;
	con->tty = !workload_ports;
	plan_ports(con, o, workload_ports);
	con->input_port = con->port[CONSOLE_STDIN];
	con->console_sink = workload_ports ? &con->stderr_sink : &con->stdout_sink;
	uart_8250_init(&con->uart, vm, COM1_BASE, COM1_IRQ, &uart_be);
	add_virtio_console(con, bus);
	open_ports(con, o);
	console_resize(con);
}

void console_close_copies(struct console *con)
{
	if (con->copy_in.src_fd >= 0) {
		close(con->copy_in.src_fd);
		con->copy_in.src_fd = -1;
	}
	if (con->copy_out.out.fd >= 0) {
		close(con->copy_out.out.fd);
		con->copy_out.out.fd = -1;
	}
}

void console_start(struct console *con, void (*enter)(void))
{
	chardev_stdio_start_copier(&con->input, enter);
}

bool console_is_tty(const struct console *con)
{
	return con->tty;
}

void console_size(const struct console *con, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	*rows = *cols = 0;
	if (con->input.tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

void console_resize(struct console *con)
{
	struct winsize ws;

	if (con->input.tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		virtio_console_resize(&con->vcon, ws.ws_col, ws.ws_row);
}
