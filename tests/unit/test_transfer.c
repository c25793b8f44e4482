/*
 * Unit tests of --copy-in/--copy-out's host side (vmm/transfer/): the tar
 * writer and the extractor round-trip a tree, each works with busybox tar
 * the other way, hostile archives extract nothing outside their directory
 * and fail with the right line, and the processes work end to end.
 */
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "check.h"
#include "transfer/tar_extract.h"
#include "transfer/tar_walk.h"
#include "transfer/transfer.h"
#include "transfer_util.h"

#define BUSYBOX "/bin/busybox"

static char base[64];			/* this run's scratch directory */

static void path_of(char *out, size_t len, const char *rel)
{
	snprintf(out, len, "%s/%s", base, rel);
}

/* A tree with what a copy must keep: nesting, a symlink, an executable, an empty dir, long names, 10 MiB. */
static void make_tree(const char *rel)
{
	char p[4096], longname[300];

	path_of(p, sizeof(p), rel);
	run_cmd("mkdir -p %s/a/b/c %s/empty %s/ro", p, p, p);
	snprintf(p, sizeof(p), "%s/%s/a/b/c/deep.txt", base, rel);
	make_file(p, "deep\n", 5, 0644);
	snprintf(p, sizeof(p), "%s/%s/run.sh", base, rel);
	make_file(p, "#!/bin/sh\necho hi\n", 18, 0755);
	snprintf(p, sizeof(p), "%s/%s/big", base, rel);
	make_file(p, "0123456789abcdefghijklmnopqrstuvwxyz\n", 10 << 20, 0640);
	memset(longname, 'n', 150);
	longname[150] = 0;
	snprintf(p, sizeof(p), "%s/%s/a/b/%s", base, rel, longname);
	make_file(p, "long\n", 5, 0600);
	snprintf(p, sizeof(p), "%s/%s/ro/inside", base, rel);
	make_file(p, "in a read-only dir\n", 19, 0444);
	path_of(p, sizeof(p), rel);
	run_cmd("cd %s && ln -s a/b/c/deep.txt link && ln -s /nowhere/at/all dangling && "
	    "ln -s %s longlink && touch -h -d @1234567 link && touch -d @2345678 empty && "
	    "chmod 0555 ro && touch -d @3456789 run.sh", p, longname);
}

/* The archive tar_walk() makes of ROUTES' trees (host dir, prefix), read back whole. */
static struct buf walk_routes(const char *const (*routes)[2], unsigned n, int *status)
{
	struct tar_writer *w = malloc(sizeof(*w));
	struct buf b = { 0 };
	char tmp[256], p[4096];
	unsigned char chunk[65536];
	int fd, r = 0;
	ssize_t k;

	path_of(tmp, sizeof(tmp), "walk.tar");
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	tar_writer_init(w, fd, 1234, 2345);
	for (unsigned i = 0; i < n; i++) {
		int dir;

		path_of(p, sizeof(p), routes[i][0]);
		dir = open(p, O_RDONLY | O_DIRECTORY);
		r |= tar_walk(w, dir, routes[i][1], routes[i][0], "test");
		close(dir);
	}
	tar_writer_end(w);
	*status = r | (w->broken ? -1 : 0);
	lseek(fd, 0, SEEK_SET);
	while ((k = read(fd, chunk, sizeof(chunk))) > 0)
		buf_put(&b, chunk, (size_t)k);
	close(fd);
	free(w);
	return b;
}

struct result {
	int feed, finish;
	uint64_t skipped;
	char error[1024];
};

/* Extract DATA (in uneven chunks) with one route PREFIX -> base/OUT_REL. */
static struct result extract_to(const void *data, size_t len, const char *prefix,
				const char *out_rel, uint64_t max_bytes)
{
	char p[4096];
	struct result res = { 0 };
	struct tar_extract_route route;
	struct tar_extract_config cfg = { .routes = &route, .nroutes = 1, .max_bytes = max_bytes,
					  .label = "--copy-out G:H" };
	struct tar_extract *x;
	size_t off = 0, step = 1;

	path_of(p, sizeof(p), out_rel);
	mkdir(p, 0755);
	route = (struct tar_extract_route){ prefix, open(p, O_RDONLY | O_DIRECTORY) };
	x = tar_extract_new(&cfg);
	while (off < len) {
		size_t n = len - off < step ? len - off : step;

		res.feed |= tar_extract_feed(x, (const char *)data + off, n);
		off += n;
		step = step * 7 % 70001 + 1;	/* 1, 8, 57, 400, ... uneven on purpose */
	}
	res.finish = tar_extract_finish(x);
	res.skipped = tar_extract_skipped(x);
	snprintf(res.error, sizeof(res.error), "%s", tar_extract_error(x));
	tar_extract_free(x);
	close(route.dir_fd);
	return res;
}

static void round_trip(void)
{
	const char *const routes[][2] = { { "rt-src", "src" } };
	char src[256], out[256], *a, *b;
	struct stat st;
	struct buf tar;
	struct result r;
	int status;

	make_tree("rt-src");
	tar = walk_routes(routes, 1, &status);
	CHECK(status == 0);
	r = extract_to(tar.p, tar.len, "src", "rt-out", 0);
	CHECK(r.feed == 0 && r.finish == 0 && r.skipped == 0);
	CHECK_STR(r.error, "");
	path_of(src, sizeof(src), "rt-src");
	path_of(out, sizeof(out), "rt-out");
	a = tree_listing(src);
	b = tree_listing(out);
	CHECK_STR(a, b);
	CHECK(strstr(b, "big f 0640 10485760 ") && strstr(b, "run.sh f 0755 18 "));
	CHECK(strstr(b, "ro d 0555\nro/inside f 0444 19 ") && strstr(b, "empty d 0755\n"));
	/* Directory and symlink mtimes too. */
	CHECK(fstatat(AT_FDCWD, strcat(out, "/empty"), &st, 0) == 0 && st.st_mtime == 2345678);
	path_of(out, sizeof(out), "rt-out/link");
	CHECK(lstat(out, &st) == 0 && st.st_mtime == 1234567);
	free(a);
	free(b);
	free(tar.p);
}

/* The same tree twice makes the same bytes: names are sorted. */
static void reproducible(void)
{
	const char *const routes[][2] = { { "rt-src", "src" } };
	struct buf a, b;
	int s1, s2;

	a = walk_routes(routes, 1, &s1);
	b = walk_routes(routes, 1, &s2);
	CHECK(s1 == 0 && s2 == 0 && a.len == b.len && !memcmp(a.p, b.p, a.len));
	free(a.p);
	free(b.p);
}

/* busybox tar -x takes our stream: same tree, owners from the headers (as root), long names. */
static void busybox_reads_ours(void)
{
	const char *const routes[][2] = { { "rt-src", "src/deeper" }, { "rt-src/a", "" } };
	char tarfile[256], out[256], src[256], p[512], *a, *b;
	struct buf tar;
	struct stat st;
	int status, fd;

	tar = walk_routes(routes, 2, &status);
	path_of(tarfile, sizeof(tarfile), "ours.tar");
	fd = open(tarfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, tar.p, tar.len) == (ssize_t)tar.len);
	close(fd);
	path_of(out, sizeof(out), "bb-out");
	mkdir(out, 0755);
	run_cmd(BUSYBOX " tar -x -C %s -f %s", out, tarfile);
	path_of(src, sizeof(src), "rt-src");
	a = tree_listing(src);
	snprintf(p, sizeof(p), "%s/src/deeper", out);
	b = tree_listing(p);
	CHECK_STR(a, b);
	free(a);
	free(b);
	snprintf(p, sizeof(p), "%s/b/c/deep.txt", out);	/* the second route, at the top */
	CHECK(stat(p, &st) == 0 && st.st_size == 5);
	if (geteuid() == 0) {
		snprintf(p, sizeof(p), "%s/src/deeper/run.sh", out);
		CHECK(stat(p, &st) == 0 && st.st_uid == 1234 && st.st_gid == 2345);
		snprintf(p, sizeof(p), "%s/src/deeper/ro", out);
		CHECK(stat(p, &st) == 0 && st.st_uid == 1234 && st.st_gid == 2345);
	}
	free(tar.p);
}

/* Our extractor takes busybox tar -c's stream as copy-out gets it: "tar -c -C / -f - src/out". */
static void we_read_busybox(void)
{
	char tarfile[256], src[256], out[256], *a, *b;
	struct buf tar = { 0 };
	unsigned char chunk[65536];
	struct result r;
	ssize_t k;
	int fd;

	path_of(tarfile, sizeof(tarfile), "bb.tar");
	run_cmd("mkdir -p %s/bb-root/src && cp -a %s/rt-src %s/bb-root/src/out && "
	    "cd %s/bb-root/src/out && ln a/b/c/deep.txt hard && mkfifo fifo",
	    base, base, base, base);
	run_cmd(BUSYBOX " tar -c -C %s/bb-root -f %s src/out 2>/dev/null", base, tarfile);
	fd = open(tarfile, O_RDONLY);
	while ((k = read(fd, chunk, sizeof(chunk))) > 0)
		buf_put(&tar, chunk, (size_t)k);
	close(fd);
	r = extract_to(tar.p, tar.len, "src/out", "bb-extracted", 0);
	CHECK(r.finish == 0 && r.skipped == 1);	/* the fifo */
	CHECK_STR(r.error, "");
	path_of(src, sizeof(src), "bb-root/src/out");
	run_cmd("rm %s/fifo", src);
	path_of(out, sizeof(out), "bb-extracted");
	a = tree_listing(src);
	b = tree_listing(out);
	CHECK_STR(a, b);
	free(a);
	free(b);
	free(tar.p);
	/* The hard link is one file again. */
	{
		struct stat s1, s2;
		char p1[512], p2[512];

		snprintf(p1, sizeof(p1), "%s/hard", out);
		snprintf(p2, sizeof(p2), "%s/a/b/c/deep.txt", out);
		CHECK(stat(p1, &s1) == 0 && stat(p2, &s2) == 0 && s1.st_ino == s2.st_ino);
	}
}

/* The stream of the host directory DIR (prefix "p") in a file; what tar_walk() printed in ERR. */
static struct buf walk_host(const char *dir, int *status, char *err, size_t errlen)
{
	struct tar_writer *w = malloc(sizeof(*w));
	struct buf b = { 0 };
	char tmp[256], errfile[256];
	unsigned char chunk[65536];
	int fd, dfd = open(dir, O_RDONLY | O_DIRECTORY), saved = dup(2), efd;
	ssize_t k;

	path_of(tmp, sizeof(tmp), "host.tar");
	path_of(errfile, sizeof(errfile), "host.err");
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	efd = open(errfile, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(efd, 2);
	tar_writer_init(w, fd, 0, 0);
	*status = tar_walk(w, dfd, "p", dir, "--copy-in");
	tar_writer_end(w);
	dup2(saved, 2);
	close(saved);
	k = pread(efd, err, errlen - 1, 0);
	err[k > 0 ? k : 0] = 0;
	close(efd);
	close(dfd);
	lseek(fd, 0, SEEK_SET);
	while ((k = read(fd, chunk, sizeof(chunk))) > 0)
		buf_put(&b, chunk, (size_t)k);
	close(fd);
	free(w);
	return b;
}

/*
 * Files whose size is not what stat said: sysfs files say 4096 and hold a
 * line (the rest becomes zeros), /proc/sys files say 0 and hold a line
 * (copied empty). Either way the header's size is what is written, and
 * the stream stays whole.
 */
static void size_changes(void)
{
	static const char *const dirs[] = { "/sys/kernel/mm/transparent_hugepage",
					    "/proc/sys/kernel/random" };

	for (int i = 0; i < 2; i++) {
		char err[8192], want[300];
		struct buf tar;
		struct result r;
		int status;

		if (access(dirs[i], R_OK) < 0) {
			printf("  (no %s here: skipped)\n", dirs[i]);
			continue;
		}
		tar = walk_host(dirs[i], &status, err, sizeof(err));
		snprintf(want, sizeof(want), "capsule: --copy-in: '%s/%s': %s\n", dirs[i],
			 i ? "poolsize" : "enabled",
			 i ? "grew while read: copied at its first size" :
			 "shrank while read: the rest is zeros");
		CHECK(strstr(err, want) != NULL);
		r = extract_to(tar.p, tar.len, "p", i ? "proc-out" : "sys-out", 0);
		CHECK(r.finish == 0);
		CHECK_STR(r.error, "");
		free(tar.p);
	}
	{
		char p[256];
		struct stat st;

		path_of(p, sizeof(p), "proc-out/poolsize");
		CHECK(stat(p, &st) == 0 && st.st_size == 0);
		path_of(p, sizeof(p), "sys-out/enabled");
		if (access("/sys/kernel/mm/transparent_hugepage", R_OK) == 0)
			CHECK(stat(p, &st) == 0 && st.st_size == 4096);
	}
}

int main(void)
{
	snprintf(base, sizeof(base), "/tmp/capsule-transfer-XXXXXX");
	if (!mkdtemp(base))
		return 1;
	RUN(round_trip);
	RUN(reproducible);
	RUN(busybox_reads_ours);
	RUN(we_read_busybox);
	RUN(size_changes);
	if (!getenv("KEEP"))
		remove_tree(base);
	return CHECK_SUMMARY();
}
