/* Unit tests of the console's host fds: private descriptions, used without waiting. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/chardev_fd.h"
#include "check.h"

static bool nonblocking(int fd)
{
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

/* A pipe is reopened non-blocking; the description the shell shares stays as it was. */
static void pipe_gets_a_private_description(void)
{
	enum chardev_fd_kind kind;
	int p[2], r, w;

	CHECK(pipe(p) == 0);
	w = chardev_fd_open(p[1], O_WRONLY, &kind);
	CHECK(kind == CHARDEV_FD_PRIVATE && w >= 0 && w != p[1]);
	CHECK(nonblocking(w) && !nonblocking(p[1]));
	r = chardev_fd_open(p[0], O_RDONLY, &kind);
	CHECK(kind == CHARDEV_FD_PRIVATE && r >= 0 && r != p[0]);
	CHECK(nonblocking(r) && !nonblocking(p[0]));
	/* Nothing there: the private end says so instead of waiting. */
	CHECK(chardev_fd_read(r, kind, &kind, 1) < 0 && errno == EAGAIN);
	CHECK(write(w, "ab", 2) == 2);
	char buf[2];
	CHECK(read(p[0], buf, 2) == 2 && !memcmp(buf, "ab", 2));
	close(r);
	close(w);
	close(p[0]);
	close(p[1]);
}

static void other_kinds(void)
{
	enum chardev_fd_kind kind;
	int s[2], f, closed;
	char c;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
	CHECK(chardev_fd_open(s[0], O_RDONLY, &kind) == s[0] && kind == CHARDEV_FD_SOCKET);
	CHECK(!nonblocking(s[0]));
	CHECK(chardev_fd_read(s[0], kind, &c, 1) < 0 && errno == EAGAIN);
	f = open("/dev/null", O_WRONLY);
	CHECK(chardev_fd_open(f, O_WRONLY, &kind) == f && kind == CHARDEV_FD_PLAIN);
	closed = dup(f);
	close(closed);
	CHECK(chardev_fd_open(closed, O_WRONLY, &kind) == -1 && kind == CHARDEV_FD_CLOSED);
	close(f);
	close(s[0]);
	close(s[1]);
}

int main(void)
{
	RUN(pipe_gets_a_private_description);
	RUN(other_kinds);
	return CHECK_SUMMARY();
}
