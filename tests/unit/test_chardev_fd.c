/* Unit tests of the console's host fds: private descriptions, and output that waits for a slow reader. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
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

/* A writer fed from the drained() callback, and a reader that pauses now and then. */
#define STREAM (1u << 20)
static struct event_loop loop;
static struct chardev_output out;
static uint8_t *stream;
static size_t sent;
static unsigned drains, short_writes;

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 % 251);
}

static void pump(void *opaque)
{
	(void)opaque;
	drains++;
	while (sent < STREAM) {
		struct iovec iov[2] = { { stream + sent, 1000 }, { stream + sent + 1000, 3000 } };
		size_t want = STREAM - sent < 4000 ? STREAM - sent : 4000, took;

		if (want < 4000) {
			iov[0].iov_len = want;
			iov[1].iov_len = 0;
		}
		took = chardev_output_write(&out, iov, 2);
		sent += took;
		if (took < want) {
			short_writes++;
			CHECK(out.full && loop.holds == 1);
			CHECK(chardev_output_write(&out, iov, 2) == 0);
			return;
		}
	}
	event_loop_stop(&loop, 0);
}

static void *slow_reader(void *arg)
{
	int fd = (int)(intptr_t)arg;
	size_t got = 0, bad = 0;
	uint8_t buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			bad += buf[i] != pattern(got + (size_t)i);
		got += (size_t)n;
		if (got % (64 * 4096) < (size_t)n)
			usleep(20 * 1000);
	}
	return (void *)(intptr_t)(got == STREAM && !bad);
}

static void output_waits_for_a_slow_reader(void)
{
	pthread_t t;
	void *ok;
	int p[2];

	stream = malloc(STREAM);
	for (size_t i = 0; i < STREAM; i++)
		stream[i] = pattern(i);
	sent = drains = short_writes = 0;
	CHECK(event_loop_init(&loop) == 0);
	CHECK(pipe(p) == 0);
	chardev_output_open(&out, &loop, p[1], pump, NULL);
	CHECK(out.kind == CHARDEV_FD_PRIVATE && !nonblocking(p[1]));
	close(p[1]);
	CHECK(pthread_create(&t, NULL, slow_reader, (void *)(intptr_t)p[0]) == 0);
	pump(NULL);
	CHECK(event_loop_run(&loop) == 0);
	close(out.fd);
	CHECK(pthread_join(t, &ok) == 0 && ok);
	CHECK(sent == STREAM && short_writes > 0 && drains == short_writes + 1);
	CHECK(!out.full && loop.holds == 0);
	close(p[0]);
	close(loop.epfd);
	close(loop.stop_fd);
	free(stream);
}

static void drained_unexpectedly(void *opaque)
{
	(void)opaque;
	CHECK(!"drained() called");
}

/* Without a reader, output goes nowhere and nothing waits (a closed pipe). */
static void reader_gone(void)
{
	struct iovec iov = { "lost", 4 };
	int p[2];

	CHECK(event_loop_init(&loop) == 0);
	CHECK(pipe(p) == 0);
	chardev_output_open(&out, &loop, p[1], drained_unexpectedly, NULL);
	close(p[0]);
	CHECK(chardev_output_write(&out, &iov, 1) == 4 && out.gone && !out.full);
	CHECK(chardev_output_write(&out, &iov, 1) == 4);
	close(out.fd);
	close(p[1]);
	close(loop.epfd);
	close(loop.stop_fd);
}

/* Fill a pipe without waiting; returns the bytes it took. */
static size_t fill(int fd)
{
	static uint8_t junk[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = write(fd, junk, sizeof(junk))) > 0)
		total += (size_t)n;
	CHECK(errno == EAGAIN);
	return total;
}

static void *write_all_thread(void *arg)
{
	static uint8_t data[200000];

	(void)arg;
	chardev_output_write_all(&out, data, sizeof(data));
	return NULL;
}

/* The UART's way: wait for the fd (off the loop's thread), lose nothing. emerg_wr's: take what fits. */
static void write_all_waits_try_does_not(void)
{
	struct iovec iov = { "e", 1 };
	size_t filled, got = 0;
	uint8_t buf[65536];
	pthread_t t;
	ssize_t n;
	int p[2];

	CHECK(event_loop_init(&loop) == 0);
	CHECK(pipe(p) == 0);
	chardev_output_open(&out, &loop, p[1], drained_unexpectedly, NULL);
	close(p[1]);
	filled = fill(out.fd);
	CHECK(chardev_output_try(&out, &iov, 1) == 0 && !out.full && loop.holds == 0);
	CHECK(pthread_create(&t, NULL, write_all_thread, NULL) == 0);
	usleep(50 * 1000);
	while (got < filled + 200000 && (n = read(p[0], buf, sizeof(buf))) > 0)
		got += (size_t)n;
	CHECK(pthread_join(t, NULL) == 0);
	close(out.fd);
	CHECK(got == filled + 200000 && read(p[0], buf, 1) == 0);
	close(p[0]);
	close(loop.epfd);
	close(loop.stop_fd);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* as capsule does */
	RUN(pipe_gets_a_private_description);
	RUN(other_kinds);
	RUN(output_waits_for_a_slow_reader);
	RUN(reader_gone);
	RUN(write_all_waits_try_does_not);
	return CHECK_SUMMARY();
}
