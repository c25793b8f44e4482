/* capsule's stdio fds used without waiting, and without changing what the user's shell shares. */
#include "backend/chardev_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

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
