/* capsule ctl's connection: which socket a name means, connecting with a check of its peer, one request and its answer. */
#include "control/control_conn.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/control_json.h"
#include "control/control_path.h"

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* The VM named NAME: its socket in the first default directory that has it (else the first). */
static int by_name(const char *name, char *path, size_t size, char *err, size_t errlen)
{
	char file[NAME_MAX + 1], dirs[2][PATH_MAX];
	struct stat st;
	int n;

	if (control_file_name(name, file, sizeof(file)) < 0 ||
	    control_default_dir(getenv("XDG_RUNTIME_DIR"), dirs[0], sizeof(dirs[0])) < 0)
		return fail(err, errlen, "the VM's name or $XDG_RUNTIME_DIR is too long");
	snprintf(dirs[1], sizeof(dirs[1]), "/run/capsule");
	for (int i = 0; i < 2; i++) {
		n = snprintf(path, size, "%s/%s", dirs[i], file);
		if (n > 0 && (size_t)n < size && lstat(path, &st) == 0)
			return 0;
	}
	/* In neither: the first, for the error to name. */
	n = snprintf(path, size, "%s/%s", dirs[0], file);
	return n > 0 && (size_t)n < size ? 0 : fail(err, errlen, "socket path too long");
}

int control_conn_resolve(const char *target, char *path, size_t size, char *err, size_t errlen)
{
	struct stat st;
	char *abs;
	int ret;

	/* A socket, or a path (a '/' in it: no VM name has one) to report on as it is. */
	if ((stat(target, &st) == 0 && S_ISSOCK(st.st_mode)) ||
	    (strchr(target, '/') && !(stat(target, &st) == 0 && S_ISREG(st.st_mode)))) {
		if (strlen(target) >= size)
			return fail(err, errlen, "socket path too long");
		strcpy(path, target);
		return 0;
	}
	if (stat(target, &st) == 0 && S_ISREG(st.st_mode) && (abs = realpath(target, NULL))) {
		ret = by_name(abs, path, size, err, errlen);
		free(abs);
		return ret;
	}
	return by_name(target, path, size, err, errlen);
}

static const char *connect_error(int e)
{
	switch (e) {
	case ENOENT:
		return "no such socket (is the VM running? capsule ctl list shows those you can "
		       "reach)";
	case ECONNREFUSED:
		return "nobody listens there (its VM has ended)";
	case EAGAIN:
	case EINPROGRESS:
	case ETIMEDOUT:
		return "the VM did not take the connection in time";
	default:
		return strerror(e);
	}
}

/* Whoever serves the socket must be this user or root: anyone else could answer anything. */
static int check_server(int fd, char *err, size_t errlen)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return fail(err, errlen, strerror(errno));
	if (cred.uid != getuid() && cred.uid != 0) {
		snprintf(err, errlen, "served by uid %u, neither you nor root: not talking to it",
			 (unsigned)cred.uid);
		return -1;
	}
	return 0;
}

int control_conn_open(const char *path, int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { timeout_ms / 1000, timeout_ms % 1000 * 1000 };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return fail(err, errlen, "socket path too long");
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, strerror(errno));
	/* A listener whose queue is full makes connect() wait: this long at most. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fail(err, errlen, connect_error(errno));
		close(fd);
		return -1;
	}
	if (check_server(fd, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read from FD into BUF until a newline, the end of input, a full BUF or DEADLINE: bytes read or -1. */
static ssize_t read_line(int fd, char *buf, size_t size, int64_t deadline)
{
	size_t got = 0;
	ssize_t n;

	while (got < size && !memchr(buf, '\n', got)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t control_conn_ask(int fd, const char *line, char *buf, size_t size, int timeout_ms,
			 char *err, size_t errlen)
{
	struct iovec iov[2] = { { (void *)line, strlen(line) }, { "\n", 1 } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	int64_t deadline = now_ms() + timeout_ms;
	struct control_json json;
	ssize_t got;
	char *nl;

	/* The VM may have answered already (busy, refused) and closed: read its answer anyway. */
	sendmsg(fd, &msg, MSG_NOSIGNAL);
	got = read_line(fd, buf, size, deadline);
	if (got < 0) {
		snprintf(err, errlen, "no answer: %s", errno == ETIMEDOUT ?
			 "none within the time allowed" : strerror(errno));
		return -1;
	}
	nl = memchr(buf, '\n', (size_t)got);
	if (!nl)
		return fail(err, errlen, got == (ssize_t)size ? "answer too long" :
			    got ? "the answer was cut short" : "closed without an answer");
	if (control_json_parse(buf, (size_t)(nl - buf), &json) < 0)
		return fail(err, errlen, "the answer is not a JSON object: not a capsule control "
			    "socket?");
	return nl - buf + 1;
}

int control_conn_wait_closed(int fd, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char buf[512];
	ssize_t n;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return -1;
		n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return 0;
	}
}
