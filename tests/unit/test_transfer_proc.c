/*
 * Unit tests of the transfer processes (vmm/transfer/transfer.c): send ->
 * pipe -> receive end to end, the errors found before forking, a failing
 * child's line, and what the children keep of capsule's fds.
 */
#include <signal.h>
#include <sys/ioctl.h>

#include "check.h"
#include "transfer/transfer.h"
#include "transfer_pump.h"
#include "transfer_util.h"

static char base[64];

/* Run FN with stderr going to a file; what it printed there. */
static void capture_stderr(void (*fn)(void *), void *arg, char *out, size_t len)
{
	char path[256];
	int saved = dup(2), fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stderr", base);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
}

struct e2e {
	const char *src, *dst, *prefix;
	int sent, received, pumped;
};

static void send_receive(void *arg)
{
	struct e2e *e = arg;
	struct transfer_route in = { e->src, e->prefix }, out = { e->dst, e->prefix };
	struct transfer_proc s, r;
	char err[512];

	CHECK(transfer_send_start(&in, 1, 1000, 1000, "--copy-in", &s, err, sizeof(err)) == 0);
	CHECK(transfer_receive_start(&out, 1, 0, "--copy-out", &r, err, sizeof(err)) == 0);
	e->pumped = pump(s.fd, r.fd);
	e->sent = transfer_finish(&s);
	e->received = transfer_finish(&r);
}

/* A tree through both processes and a pipe, as the monitor will move it. */
static void end_to_end(void)
{
	char src[256], dst[256], err[1024], *a, *b;
	struct e2e e = { .src = src, .dst = dst, .prefix = "/src/tree/" };

	snprintf(src, sizeof(src), "%s/src", base);
	snprintf(dst, sizeof(dst), "%s/dst", base);	/* missing: made, its parent exists */
	mkdir(src, 0755);
	run_cmd("mkdir -p %s/d/e && echo x > %s/d/e/f && ln -s e %s/d/l && chmod 750 %s/d && "
		"head -c 3000000 /dev/urandom > %s/big && mkfifo %s/fifo", src, src, src, src, src, src);
	capture_stderr(send_receive, &e, err, sizeof(err));
	CHECK(e.pumped == 0 && e.sent == 0 && e.received == 0);
	run_cmd("rm %s/fifo", src);
	a = tree_listing(src);
	b = tree_listing(dst);
	CHECK_STR(a, b);
	CHECK(strstr(err, "--copy-in: '") && strstr(err, "/src/fifo': skipped: a fifo\n"));
	free(a);
	free(b);
}

static void fails_before_forking(void)
{
	struct transfer_route missing = { "/nonexistent/dir", "x" }, file = { "/etc/hostname", "x" };
	struct transfer_route deep = { "/nonexistent/a/b", "x" }, dotdot = { "/tmp", "a/../b" };
	struct transfer_proc p = { .pid = 99 };
	char err[512];

	CHECK(transfer_send_start(&missing, 1, 0, 0, "--copy-in L", &p, err, sizeof(err)) == -1);
	CHECK_STR(err, "--copy-in L: '/nonexistent/dir': No such file or directory");
	CHECK(transfer_send_start(&file, 1, 0, 0, "--copy-in L", &p, err, sizeof(err)) == -1);
	CHECK_STR(err, "--copy-in L: '/etc/hostname': not a directory");
	CHECK(transfer_receive_start(&deep, 1, 0, "--copy-out L", &p, err, sizeof(err)) == -1);
	CHECK_STR(err, "--copy-out L: '/nonexistent/a/b': No such file or directory");
	CHECK(transfer_receive_start(&dotdot, 1, 0, "--copy-out L", &p, err, sizeof(err)) == -1);
	CHECK_STR(err, "--copy-out L: '/a/../b': not a usable guest path");
}

struct hostile_run {
	int status;
};

static void receive_hostile(void *arg)
{
	struct hostile_run *h = arg;
	char dst[256], err[512];
	struct transfer_route route = { dst, "r" };
	struct transfer_proc p;
	struct buf b = { 0 };

	snprintf(dst, sizeof(dst), "%s/hostile", base);
	put_hdr(&b, &(struct hdr_spec){ .name = "r/../escape", .size = 1 });
	put_data(&b, "x", 1);
	for (int i = 0; i < 300; i++)	/* more than a pipe holds: the child reads on */
		put_data(&b, NULL, 4096);
	put_end(&b);
	CHECK(transfer_receive_start(&route, 1, 0, "--copy-out /r:H", &p, err, sizeof(err)) == 0);
	fcntl(p.fd, F_SETFL, 0);	/* blocking: the child must drain it all */
	CHECK(write(p.fd, b.p, b.len) == (ssize_t)b.len);
	h->status = transfer_finish(&p);
	free(b.p);
}

/* A refused member: the child says so in one line, reads on, and fails. */
static void child_reports(void)
{
	struct hostile_run h = { 0 };
	char err[1024], escape[256];

	capture_stderr(receive_hostile, &h, err, sizeof(err));
	CHECK(h.status == -1);
	CHECK_STR(err, "capsule: --copy-out /r:H: member 'r/../escape': '..' in its name\n");
	snprintf(escape, sizeof(escape), "%s/escape", base);
	CHECK(access(escape, F_OK) < 0);
}

static void close_early(void *arg)
{
	int *status = arg;
	char src[256], err[256];
	struct transfer_route route = { src, "s" };
	struct transfer_proc p;

	snprintf(src, sizeof(src), "%s/src", base);
	CHECK(transfer_send_start(&route, 1, 0, 0, "--copy-in", &p, err, sizeof(err)) == 0);
	*status = transfer_finish(&p);	/* nobody reads the 3 MB */
}

/* The guest stops reading: the sender fails with a line, never hangs. */
static void sender_reader_gone(void)
{
	char err[1024];
	int status = 0;

	capture_stderr(close_early, &status, err, sizeof(err));
	CHECK(status == -1);
	CHECK_STR(err, "capsule: --copy-in: cannot send the files: the guest stopped taking them\n");
}

/* The children keep none of the monitor's fds: a pipe end it held is closed in them. */
static void children_close_fds(void)
{
	char dst[256], err[256], byte;
	struct transfer_route route = { dst, "" };
	struct transfer_proc p;
	int q[2];

	snprintf(dst, sizeof(dst), "%s/fds", base);
	CHECK(pipe(q) == 0);
	CHECK(transfer_receive_start(&route, 1, 0, "--copy-out", &p, err, sizeof(err)) == 0);
	close(q[1]);
	CHECK(read(q[0], &byte, 1) == 0);	/* end of file: no child holds q[1] */
	close(q[0]);
	CHECK(write(p.fd, (char[1024]){ 0 }, 1024) == 1024);
	CHECK(transfer_finish(&p) == 0);
	CHECK(transfer_finish(&p) == -1);	/* twice: nothing to wait for */
}

/* Ctrl-C reaches the whole process group: the children leave it to capsule. */
static void children_ignore_ctrl_c(void)
{
	char dst[256], err[256];
	struct transfer_route route = { dst, "" };
	struct transfer_proc p;
	struct buf b = { 0 };
	int queued = 1;

	snprintf(dst, sizeof(dst), "%s/sigint", base);
	put_hdr(&b, &(struct hdr_spec){ .name = "f", .size = 1 });
	put_data(&b, "f", 1);
	CHECK(transfer_receive_start(&route, 1, 0, "--copy-out", &p, err, sizeof(err)) == 0);
	CHECK(write(p.fd, b.p, b.len) == (ssize_t)b.len);
	/* Once the child has read it, it is past its set-up. */
	for (int i = 0; i < 2000 && queued > 0; i++) {
		if (ioctl(p.fd, FIONREAD, &queued) < 0)
			break;
		if (queued)
			usleep(5000);
	}
	CHECK(queued == 0);
	kill(p.pid, SIGINT);
	kill(p.pid, SIGTERM);
	b.len = 0;
	put_end(&b);
	CHECK(write(p.fd, b.p, b.len) == (ssize_t)b.len);
	CHECK(transfer_finish(&p) == 0);
	free(b.p);
}

int main(void)
{
	umask(022);
	snprintf(base, sizeof(base), "/tmp/capsule-proc-XXXXXX");
	if (!mkdtemp(base))
		return 1;
	RUN(end_to_end);
	RUN(fails_before_forking);
	RUN(child_reports);
	RUN(sender_reader_gone);
	RUN(children_close_fds);
	RUN(children_ignore_ctrl_c);
	if (!getenv("KEEP"))
		remove_tree(base);
	return CHECK_SUMMARY();
}
