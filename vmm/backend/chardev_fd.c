/* capsule's stdio fds used without waiting, and guest output that waits for a slow reader off the I/O thread. */
#include "backend/chardev_fd.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util/iov.h"

/*
 * A pipe or a terminal gets a description of its own: opening
 * /proc/self/fd/N opens the same pipe or terminal again, so O_NONBLOCK stays
 * ours. A socket cannot be reopened, but send() and recv() take MSG_DONTWAIT
 * per call. A regular file never makes a writer wait, and sharing its
 * description keeps the shell's offset right ({ capsule ...; echo; } >log).
 */
int chardev_fd_open(int fd, int access, enum chardev_fd_kind *kind)
{
	char path[32];
	struct stat st;
	int own;

	if (fstat(fd, &st) < 0) {
		*kind = CHARDEV_FD_CLOSED;
		return -1;
	}
	if (S_ISSOCK(st.st_mode)) {
		*kind = CHARDEV_FD_SOCKET;
		return fd;
	}
	if (!S_ISFIFO(st.st_mode) && !isatty(fd)) {
		*kind = CHARDEV_FD_PLAIN;
		return fd;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	own = open(path, access | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (own < 0) {
		/* No /proc, a terminal we may not open, a FIFO without a reader (writes fail anyway). */
		log_debug("fd %d: cannot reopen it (%s): using it as it is", fd, strerror(errno));
		*kind = CHARDEV_FD_BLOCKING;
		return fd;
	}
	*kind = CHARDEV_FD_PRIVATE;
	return own;
}

ssize_t chardev_fd_read(int fd, enum chardev_fd_kind kind, void *buf, size_t len)
{
	if (kind == CHARDEV_FD_SOCKET)
		return recv(fd, buf, len, MSG_DONTWAIT);
	return read(fd, buf, len);
}

/* One write that does not wait (but on a BLOCKING fd): bytes written, 0 when full, -1 when gone. */
static ssize_t write_once(const struct chardev_output *o, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt };
	ssize_t n;

	do {
		if (o->kind == CHARDEV_FD_SOCKET)
			n = sendmsg(o->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = writev(o->fd, iov, iovcnt);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return errno == EAGAIN ? 0 : -1;
}

void chardev_output_write_all(const struct chardev_output *o, const uint8_t *buf, size_t len)
{
	struct pollfd p = { .fd = o->fd, .events = POLLOUT };

	while (len) {
		struct iovec iov = { (void *)buf, len };
		ssize_t n = write_once(o, &iov, 1);

		if (n < 0)
			return;		/* the reader is gone */
		if (n == 0 && poll(&p, 1, -1) < 0 && errno == EINTR && event_loop_stopping(o->loop))
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* The rest of IOV after its first DONE bytes, waiting for the fd: the loop could not watch it. */
static void write_rest_waiting(const struct chardev_output *o, const struct iovec *iov,
			       int iovcnt, size_t done)
{
	for (int i = 0; i < iovcnt; i++) {
		size_t skip = done < iov[i].iov_len ? done : iov[i].iov_len;

		done -= skip;
		chardev_output_write_all(o, (const uint8_t *)iov[i].iov_base + skip,
					 iov[i].iov_len - skip);
	}
}

static void on_writable(void *opaque, uint32_t events);

/* Watch the fd until it takes more, and hold the loop meanwhile; false when the loop cannot. */
static bool watch(struct chardev_output *o)
{
	int r = event_loop_add(o->loop, o->fd, EPOLLOUT, on_writable, o);

	if (r < 0) {
		log_error("console: cannot watch fd %d (%s): waiting for it", o->fd, strerror(-r));
		return false;
	}
	o->full = true;
	event_loop_hold(o->loop);
	return true;
}

static void on_writable(void *opaque, uint32_t events)
{
	struct chardev_output *o = opaque;

	(void)events;	/* an error or hang-up shows in the next write */
	o->full = false;
	event_loop_remove(o->loop, o->fd);
	event_loop_release(o->loop);
	o->drained(o->opaque);
}

/*
 * The reader went away (or the fd failed): from now on output is dropped.
 * A pipe whose reader left ends capsule as it would end any writer, with
 * 128 + SIGPIPE: `capsule run -- yes | head` finishes like `yes | head`.
 */
static void lost(struct chardev_output *o)
{
	o->gone = true;
	if (o->own) {
		log_debug("fd %d: %s: output to it is dropped", o->fd, strerror(errno));
	} else if (errno == EPIPE) {
		log_debug("fd %d: the reader is gone: ending as SIGPIPE would", o->fd);
		event_loop_stop(o->loop, 128 + SIGPIPE);
	} else if (o->kind == CHARDEV_FD_CLOSED) {
		log_debug("fd %d: closed: guest output is dropped", o->fd);
	} else {
		log_error("console output: %s: guest output is dropped from now on", strerror(errno));
	}
}

size_t chardev_output_write(struct chardev_output *o, const struct iovec *iov, int iovcnt)
{
	size_t want = iov_size(iov, (unsigned)iovcnt);
	ssize_t n;

	if (o->gone || want == 0)
		return want;
	if (o->full)
		return 0;
	n = write_once(o, iov, iovcnt);
	if (n < 0) {
		lost(o);
		return want;
	}
	if ((size_t)n == want)
		return want;
	/* A file cut short is full (ENOSPC is next); a blocking fd cannot be cut short but by a signal. */
	if ((o->kind != CHARDEV_FD_PRIVATE && o->kind != CHARDEV_FD_SOCKET) || !watch(o)) {
		write_rest_waiting(o, iov, iovcnt, (size_t)n);
		return want;
	}
	return (size_t)n;
}

size_t chardev_output_try(const struct chardev_output *o, const struct iovec *iov, int iovcnt)
{
	ssize_t n = o->kind == CHARDEV_FD_BLOCKING ? 0 : write_once(o, iov, iovcnt);

	return n > 0 ? (size_t)n : 0;
}

static void output_init(struct chardev_output *o, struct event_loop *loop,
			chardev_drained_fn drained, void *opaque)
{
	memset(o, 0, sizeof(*o));
	o->loop = loop;
	o->drained = drained;
	o->opaque = opaque;
}

void chardev_output_open(struct chardev_output *o, struct event_loop *loop, int fd,
			 chardev_drained_fn drained, void *opaque)
{
	output_init(o, loop, drained, opaque);
	o->fd = chardev_fd_open(fd, O_WRONLY, &o->kind);
}

void chardev_output_open_own(struct chardev_output *o, struct event_loop *loop, int fd,
			     chardev_drained_fn drained, void *opaque)
{
	output_init(o, loop, drained, opaque);
	o->fd = fd;
	o->kind = CHARDEV_FD_PRIVATE;
	o->own = true;
}
