/* The console's host side: capsule's stdin, the terminal in raw mode when it is one. */
#include "backend/chardev_stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"

#define CTRL_A 0x01
#define CTRL_D 0x04
#define EXIT_BY_ESCAPE 130

/* The terminal state to restore; process-wide because the terminal is. */
static struct termios saved_termios;
static bool termios_saved;

void chardev_stdio_restore(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
}

static void enter_raw_mode(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return;
	termios_saved = true;
	log_at_exit(chardev_stdio_restore);
	t = saved_termios;
	cfmakeraw(&t);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &t);
}

/* What the copier thread needs: its pipe's end and its sandbox. */
struct copier {
	int out;
	void (*enter)(void);
};

/* Copies a stdin epoll cannot watch (a file, /dev/null), or could not reopen, into a pipe it can. */
static void *copy_stdin(void *arg)
{
	struct copier c = *(struct copier *)arg;
	char buf[4096];
	ssize_t n;

	free(arg);
	pthread_setname_np(pthread_self(), "stdin-copier");
	if (c.enter)
		c.enter();
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(c.out, buf, (size_t)n) != n)
			break;
	close(c.out);
	return NULL;
}

/*
 * The fd to watch for input, never waited on when read; -1 when stdin is
 * closed. A stdin that needs the copier gets a pipe now, its thread later
 * (chardev_stdio_start_copier()).
 */
static int pollable_stdin(struct chardev_stdio *cs)
{
	int fd = chardev_fd_open(STDIN_FILENO, O_RDONLY, &cs->in_kind);
	int p[2];

	if (cs->in_kind != CHARDEV_FD_PLAIN && cs->in_kind != CHARDEV_FD_BLOCKING)
		return fd;
	/* The copier waits in read() on its own thread; our end of its pipe is ours to make non-blocking. */
	cs->in_kind = CHARDEV_FD_PRIVATE;
	if (pipe2(p, O_CLOEXEC) < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0)
		die("cannot read stdin: %s", strerror(errno));
	cs->copy_fd = p[1];
	return p[0];
}

void chardev_stdio_start_copier(struct chardev_stdio *cs, void (*enter)(void))
{
	struct copier *c;
	pthread_t t;

	if (cs->copy_fd < 0)
		return;
	c = malloc(sizeof(*c));
	if (!c)
		die("cannot read stdin: out of memory");
	*c = (struct copier){ cs->copy_fd, enter };
	if (pthread_create(&t, NULL, copy_stdin, c))
		die("cannot read stdin: cannot start its copier thread");
	pthread_detach(t);
	cs->copy_fd = -1;
}

/* Ctrl-A x leaves; Ctrl-A Ctrl-A sends one Ctrl-A. Returns the bytes to pass on. */
static size_t filter_escape(struct chardev_stdio *cs, uint8_t *buf, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		if (cs->escape) {
			cs->escape = false;
			if (buf[i] == 'x') {
				chardev_stdio_restore();
				log_error("terminated by Ctrl-A x");
				event_loop_stop(cs->loop, EXIT_BY_ESCAPE);
				return 0;
			}
			if (buf[i] != CTRL_A)
				continue;
		} else if (buf[i] == CTRL_A) {
			cs->escape = true;
			continue;
		}
		buf[out++] = buf[i];
	}
	return out;
}

/* Read the next chunk into pending (which is empty); at the end, set at_eof. */
static void fill_pending(struct chardev_stdio *cs)
{
	ssize_t n = chardev_fd_read(cs->in_fd, cs->in_kind, cs->pending, CHARDEV_STDIO_CHUNK);

	cs->pending_len = cs->pending_off = 0;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		cs->at_eof = true;
		/* ^D ends a line the guest's tty holds; a second one is then end-of-file. */
		if (cs->eof_as_ctrl_d) {
			cs->pending[0] = cs->pending[1] = CTRL_D;
			cs->pending_len = 2;
		}
		return;
	}
	cs->pending_len = cs->tty ? filter_escape(cs, cs->pending, (size_t)n) : (size_t)n;
}

/* Hand pending bytes to the sink; true when all went. */
static bool flush_pending(struct chardev_stdio *cs)
{
	while (cs->pending_off < cs->pending_len) {
		size_t n = cs->sink(cs->sink_opaque, cs->pending + cs->pending_off,
				    cs->pending_len - cs->pending_off);

		if (!n)
			return false;
		cs->pending_off += n;
	}
	cs->pending_len = cs->pending_off = 0;
	return true;
}

static void on_input(void *opaque, uint32_t events);

/*
 * Watch stdin only while the sink can take more. Removed rather than given no
 * events: epoll reports a hang-up whatever events were asked for.
 */
static void set_reading(struct chardev_stdio *cs, bool on)
{
	if (cs->in_fd < 0 || on == cs->reading)
		return;
	cs->reading = on;
	if (on)
		event_loop_add(cs->loop, cs->in_fd, EPOLLIN, on_input, cs);
	else
		event_loop_remove(cs->loop, cs->in_fd);
}

/* Move pending input on; read more only once it all went; at the end, say so once. */
static void pump(struct chardev_stdio *cs)
{
	if (!flush_pending(cs)) {
		set_reading(cs, false);
		return;
	}
	if (!cs->at_eof) {
		set_reading(cs, true);
		return;
	}
	set_reading(cs, false);
	if (!cs->eof_told && cs->eof) {
		cs->eof_told = true;
		cs->eof(cs->sink_opaque);
	}
}

static void on_input(void *opaque, uint32_t events)
{
	struct chardev_stdio *cs = opaque;

	(void)events;
	fill_pending(cs);
	pump(cs);
}

static void on_room(void *opaque, uint32_t events)
{
	struct chardev_stdio *cs = opaque;
	uint64_t v;

	(void)events;
	if (read(cs->room_fd, &v, sizeof(v)) < 0 || !__atomic_load_n(&cs->started, __ATOMIC_ACQUIRE))
		return;
	if (cs->in_fd < 0 && !cs->at_eof) {
		cs->at_eof = true;
		if (cs->eof_as_ctrl_d) {
			cs->pending[0] = cs->pending[1] = CTRL_D;
			cs->pending_len = 2;
		}
	}
	pump(cs);
}

void chardev_stdio_open(struct chardev_stdio *cs, struct event_loop *loop, bool eof_as_ctrl_d,
			bool as_terminal, chardev_sink_fn sink, void *opaque)
{
	memset(cs, 0, sizeof(*cs));
	cs->loop = loop;
	cs->sink = sink;
	cs->sink_opaque = opaque;
	cs->tty = as_terminal && isatty(STDIN_FILENO);
	cs->eof_as_ctrl_d = eof_as_ctrl_d && !cs->tty;
	cs->copy_fd = -1;
	cs->in_fd = pollable_stdin(cs);
	cs->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (cs->room_fd < 0)
		die("eventfd: %s", strerror(errno));
	/* stdin joins the loop on the loop's own thread, once the guest is ready. */
	if (event_loop_add(loop, cs->room_fd, EPOLLIN, on_room, cs) < 0)
		die("cannot watch the console: %s", strerror(errno));
	if (cs->tty)
		enter_raw_mode();
}

void chardev_stdio_start(struct chardev_stdio *cs)
{
	__atomic_store_n(&cs->started, true, __ATOMIC_RELEASE);
	chardev_stdio_room(cs);
}

void chardev_stdio_room(struct chardev_stdio *cs)
{
	uint64_t one = 1;

	if (write(cs->room_fd, &one, sizeof(one)) < 0)
		log_debug("console: room eventfd: %s", strerror(errno));
}

void chardev_stdio_on_eof(struct chardev_stdio *cs, void (*eof)(void *opaque))
{
	cs->eof = eof;
}
