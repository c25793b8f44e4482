/*
 * The transfer processes under their real seccomp filters, built as capsule
 * is (musl, static): a tree with every kind of entry both ways, a busybox
 * stream with hard links, and a refused member, without one forbidden
 * syscall.
 */
#include "check.h"
#include "sandbox/seccomp.h"
#include "transfer/transfer.h"
#include "transfer_pump.h"
#include "transfer_util.h"

static char base[64];

static void capture_stderr(void (*fn)(void *), void *arg, char *out, size_t len)
{
	char path[256];
	int saved = dup(2), fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stderr", base);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	fn(arg);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
}

struct run {
	const char *src, *dst;		/* host directories; SRC NULL: STREAM instead */
	const struct buf *stream;
	int sent, received, pumped;
};

static void send_receive(void *arg)
{
	struct run *e = arg;
	struct transfer_route in = { e->src, "/src" }, out = { e->dst, "src" };
	struct transfer_proc s = { 0 }, r;
	char err[512];

	if (e->src)
		CHECK(transfer_send_start(&in, 1, 1000, 1000, "--copy-in", &s, err, sizeof(err)) == 0);
	CHECK(transfer_receive_start(&out, 1, 0, "--copy-out", &r, err, sizeof(err)) == 0);
	if (e->src) {
		e->pumped = pump(s.fd, r.fd);
		e->sent = transfer_finish(&s);
	} else {
		fcntl(r.fd, F_SETFL, 0);
		e->pumped = write(r.fd, e->stream->p, e->stream->len) == (ssize_t)e->stream->len ? 0 : -1;
	}
	e->received = transfer_finish(&r);
}

static void tree_both_ways(void)
{
	char src[256], dst[256], err[2048], *a, *b;
	struct run e = { .src = src, .dst = dst };

	snprintf(src, sizeof(src), "%s/src", base);
	snprintf(dst, sizeof(dst), "%s/dst", base);
	run_cmd("mkdir -p %s/d/e %s/ro && echo x > %s/d/e/f && ln -s e %s/d/l && chmod 750 %s/d && "
		"head -c 300000 /dev/urandom > %s/big && mkfifo %s/fifo && echo r > %s/ro/r && "
		"chmod 555 %s/ro && touch %s/$(printf 'n%%.0s' $(seq 1 150))",
		src, src, src, src, src, src, src, src, src, src);
	capture_stderr(send_receive, &e, err, sizeof(err));
	CHECK(e.pumped == 0 && e.sent == 0 && e.received == 0);
	CHECK(!strstr(err, "seccomp"));
	if (strstr(err, "seccomp"))
		printf("  %s", err);
	run_cmd("rm %s/fifo", src);
	a = tree_listing(src);
	b = tree_listing(dst);
	CHECK_STR(a, b);
	free(a);
	free(b);
}

/* busybox's own stream, hard links and all, as the guest will send it. */
static void busybox_stream(void)
{
	char dst[256], tarfile[256], err[2048], *a, *b, src[256];
	struct buf tar = { 0 };
	struct run e = { .dst = dst, .stream = &tar };
	unsigned char chunk[65536];
	ssize_t k;
	int fd;

	snprintf(dst, sizeof(dst), "%s/bb-dst", base);
	snprintf(src, sizeof(src), "%s/bb/src", base);
	snprintf(tarfile, sizeof(tarfile), "%s/bb.tar", base);
	run_cmd("mkdir -p %s/sub && echo one > %s/sub/one && ln %s/sub/one %s/two && "
		"ln -s sub/one %s/sym && /bin/busybox tar -c -C %s/bb -f %s src", src, src, src, src,
		src, base, tarfile);
	fd = open(tarfile, O_RDONLY);
	while ((k = read(fd, chunk, sizeof(chunk))) > 0)
		buf_put(&tar, chunk, (size_t)k);
	close(fd);
	capture_stderr(send_receive, &e, err, sizeof(err));
	CHECK(e.pumped == 0 && e.received == 0);
	CHECK_STR(err, "");
	a = tree_listing(src);
	b = tree_listing(dst);
	CHECK_STR(a, b);
	free(a);
	free(b);
	free(tar.p);
}

/* A refused member and a file the stream breaks off in (its removal) under the filter. */
static void refused_under_filter(void)
{
	char dst[256], err[2048];
	struct buf b = { 0 };
	struct run e = { .dst = dst, .stream = &b };

	snprintf(dst, sizeof(dst), "%s/refused", base);
	put_hdr(&b, &(struct hdr_spec){ .name = "src/a", .type = '5', .mode = 0755 });
	put_hdr(&b, &(struct hdr_spec){ .name = "src/a/l", .type = '2', .link = "/etc" });
	put_hdr(&b, &(struct hdr_spec){ .name = "src/a/l/passwd", .size = 2 });
	put_data(&b, "x\n", 2);
	put_end(&b);
	capture_stderr(send_receive, &e, err, sizeof(err));
	CHECK(e.received == -1);
	CHECK_STR(err, "capsule: --copy-out: member 'src/a/l/passwd': cannot open its directory: a "
		  "symlink is in its path\n");
	b.len = 0;
	put_hdr(&b, &(struct hdr_spec){ .name = "src/partial", .size = 5000 });
	buf_put(&b, "abc", 3);
	capture_stderr(send_receive, &e, err, sizeof(err));
	CHECK(e.received == -1);
	CHECK(strstr(err, "the archive ends early") && !strstr(err, "seccomp"));
	CHECK(count_entries(dst) == 1);	/* a, not the partial file */
	free(b.p);
}

int main(void)
{
	umask(022);
	if (seccomp_setup(SECCOMP_ENFORCE, NULL, 0) < 0)
		return 1;
	snprintf(base, sizeof(base), "/tmp/capsule-sandbox-XXXXXX");
	if (!mkdtemp(base))
		return 1;
	RUN(tree_both_ways);
	RUN(busybox_stream);
	RUN(refused_under_filter);
	if (!getenv("KEEP"))
		remove_tree(base);
	return CHECK_SUMMARY();
}
