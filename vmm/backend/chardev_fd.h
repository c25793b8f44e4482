/* capsule's stdio fds used without waiting, and without changing what the user's shell shares. */
#ifndef CAPSULE_CHARDEV_FD_H
#define CAPSULE_CHARDEV_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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

#endif
