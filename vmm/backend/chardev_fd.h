/* capsule's stdio fds used without waiting, and guest output that waits for a slow reader off the I/O thread. */
#ifndef CAPSULE_CHARDEV_FD_H
#define CAPSULE_CHARDEV_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "event_loop.h"

/*
 * How capsule uses one of its stdio fds without ever waiting on it, and
 * without setting O_NONBLOCK on the open file description it shares with the
 * user's shell (which would then see EAGAIN, even after capsule exits).
 */
enum chardev_fd_kind {
	CHARDEV_FD_CLOSED,	/* not open: reads see end of input, writes go nowhere */
	CHARDEV_FD_PRIVATE,	/* a pipe or terminal, reopened: a description of our own, non-blocking */
	CHARDEV_FD_SOCKET,	/* the shared one, with MSG_DONTWAIT on each call */
	CHARDEV_FD_PLAIN,	/* a file or device that never makes a writer wait (nor can be polled) */
	CHARDEV_FD_BLOCKING,	/* a pipe or terminal that could not be reopened: the shared one, as is */
};

/*
 * Open FD (0, 1 or 2) for ACCESS (O_RDONLY or O_WRONLY) as above. Returns the
 * fd to use (a new one for CHARDEV_FD_PRIVATE, else FD, -1 when closed) and
 * sets *KIND.
 */
int chardev_fd_open(int fd, int access, enum chardev_fd_kind *kind);

/* read() or recv(); -1 with EAGAIN when nothing is there (CHARDEV_FD_BLOCKING waits). */
ssize_t chardev_fd_read(int fd, enum chardev_fd_kind kind, void *buf, size_t len);

/* Called on the loop's thread once an output that took less than offered takes more. */
typedef void (*chardev_drained_fn)(void *opaque);

/* Guest output to one of capsule's fds. */
struct chardev_output {
	struct event_loop *loop;
	int fd;
	enum chardev_fd_kind kind;
	/* The loop thread's own: */
	bool full;		/* a write fell short: watching for EPOLLOUT, holding the loop */
	bool gone;		/* the reader went away: output is dropped */
	bool own;		/* a pipe of capsule's own: its reader leaving ends nothing */
	chardev_drained_fn drained;
	void *opaque;
};

/* Set O up to write to FD (1 or 2); DRAINED(OPAQUE) tells when it is writable again. */
void chardev_output_open(struct chardev_output *o, struct event_loop *loop, int fd,
			 chardev_drained_fn drained, void *opaque);

/*
 * Set O up to write to FD, a non-blocking pipe of capsule's own (to a helper
 * process): the same as above, except that a reader gone only drops output.
 */
void chardev_output_open_own(struct chardev_output *o, struct event_loop *loop, int fd,
			     chardev_drained_fn drained, void *opaque);

/*
 * Loop thread: write what the fd takes now. Returns how many bytes of IOV it
 * took: fewer when the fd is full (drained() follows; until then every write
 * takes nothing, so writers sharing the fd keep their order), all of them when
 * the reader is gone (dropped). While full, the loop is held (event_loop_hold):
 * a stop waits for the output.
 */
size_t chardev_output_write(struct chardev_output *o, const struct iovec *iov, int iovcnt);

/* Any thread: write what the fd takes now, nothing more (no state, no waiting); bytes taken. */
size_t chardev_output_try(const struct chardev_output *o, const struct iovec *iov, int iovcnt);

/*
 * Any thread but the loop's: write all of BUF, waiting for the fd as a slow
 * serial line would. Drops the rest only when the reader is gone, or when the
 * wait is interrupted by a signal once the loop is stopping.
 */
void chardev_output_write_all(const struct chardev_output *o, const uint8_t *buf, size_t len);

#endif
