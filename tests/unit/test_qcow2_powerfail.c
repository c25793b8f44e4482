/*
 * Power-loss safety of qcow2 writes, discards and the reuse of freed
 * clusters. Every write, hole punch and fdatasync on the image is logged
 * (ld --wrap). Then, at random points of the log, the
 * file a power cut could have left is rebuilt: everything before the last
 * fdatasync, and of each 4 KiB page written since, its state after some
 * prefix of those writes (the kernel writes pages back in any order).
 * qemu-img check must find each one clean or only leaking.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "check.h"

#define PAGE 4096u
#define CRASH_POINTS 100
#define OPS 240

struct entry {
	enum { WRITE, PUNCH, SYNC } kind;
	uint64_t off, len;
	uint8_t *data;		/* WRITE */
};

static char *dir;
static int traced = -1;		/* the image's fd */
static struct entry *log_entries;
static size_t nlog, caplog;
static uint64_t seed = 0x5eed5eed5eedull;

ssize_t __real_pwritev(int fd, const struct iovec *iov, int cnt, off_t off);
ssize_t __wrap_pwritev(int fd, const struct iovec *iov, int cnt, off_t off);
int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);
int __real_fallocate(int fd, int mode, off_t off, off_t len);
int __wrap_fallocate(int fd, int mode, off_t off, off_t len);

static struct entry *add_entry(int kind, uint64_t off, uint64_t len)
{
	if (nlog == caplog) {
		caplog = caplog ? caplog * 2 : 1024;
		log_entries = realloc(log_entries, caplog * sizeof(*log_entries));
	}
	log_entries[nlog] = (struct entry){ .kind = kind, .off = off, .len = len };
	return &log_entries[nlog++];
}

ssize_t __wrap_pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	ssize_t n = __real_pwritev(fd, iov, cnt, off);

	if (fd == traced && n > 0) {
		struct entry *e = add_entry(WRITE, (uint64_t)off, (uint64_t)n);
		size_t at = 0;

		e->data = malloc((size_t)n);
		for (int i = 0; i < cnt && at < (size_t)n; i++) {
			size_t l = iov[i].iov_len < (size_t)n - at ? iov[i].iov_len : (size_t)n - at;

			memcpy(e->data + at, iov[i].iov_base, l);
			at += l;
		}
	}
	return n;
}

int __wrap_fdatasync(int fd)
{
	int r = __real_fdatasync(fd);

	if (fd == traced && r == 0)
		add_entry(SYNC, 0, 0);
	return r;
}

int __wrap_fallocate(int fd, int mode, off_t off, off_t len)
{
	int r = __real_fallocate(fd, mode, off, len);

	if (fd == traced && r == 0 && (mode & FALLOC_FL_PUNCH_HOLE))
		add_entry(PUNCH, (uint64_t)off, (uint64_t)len);
	return r;
}

/* The fd the process has open on PATH (the backend's). */
static int fd_of(const char *path)
{
	struct stat want, st;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	if (stat(path, &want) < 0 || !d)
		return -1;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fstat(fd, &st) == 0 && st.st_ino == want.st_ino &&
		    st.st_dev == want.st_dev)
			found = fd;
	}
	closedir(d);
	return found;
}

/* Apply the part of log entry E that falls in [LO, HI) to the file image BUF. */
static void apply(uint8_t *buf, const struct entry *e, uint64_t lo, uint64_t hi, uint64_t *size)
{
	uint64_t a = e->off > lo ? e->off : lo, b = e->off + e->len < hi ? e->off + e->len : hi;

	if (a >= b)
		return;
	if (e->kind == WRITE) {
		memcpy(buf + a, e->data + (a - e->off), b - a);
		if (b > *size)
			*size = b;
	} else {
		memset(buf + a, 0, b - a);
	}
}

/* The file a power cut at log position P could leave, from BASE (SIZE bytes), into BUF. */
static uint64_t crashed_file(const uint8_t *base, uint64_t size, size_t p, uint8_t *buf,
			     uint64_t cap)
{
	size_t synced = 0;

	memset(buf, 0, cap);
	memcpy(buf, base, size);
	for (size_t i = 0; i < p; i++)
		if (log_entries[i].kind == SYNC)
			synced = i;
	for (size_t i = 0; i < synced; i++)
		apply(buf, &log_entries[i], 0, cap, &size);
	/* Each page touched since: its state after a random number of the writes touching it. */
	for (uint64_t pg = 0; pg < cap; pg += PAGE) {
		size_t touching = 0, keep;

		for (size_t i = synced; i < p; i++)
			if (log_entries[i].kind != SYNC && log_entries[i].off < pg + PAGE &&
			    log_entries[i].off + log_entries[i].len > pg)
				touching++;
		if (!touching)
			continue;
		keep = (size_t)(qt_rand(&seed) % (touching + 1));
		for (size_t i = synced; i < p && keep; i++) {
			if (log_entries[i].kind == SYNC || log_entries[i].off >= pg + PAGE ||
			    log_entries[i].off + log_entries[i].len <= pg)
				continue;
			apply(buf, &log_entries[i], pg, pg + PAGE, &size);
			keep--;
		}
	}
	return size;
}

/*
 * Write LEN bytes at OFF of B and discard them, BURST times at random
 * places, with no flush: the queue of frees fills, and its clusters are
 * reused before the guest ever flushes.
 */
static void churn(struct block_backend *b, uint8_t *buf, uint64_t len, int burst)
{
	for (int i = 0; i < burst; i++) {
		uint64_t off = qt_rand(&seed) % ((b->size - len) / 512) * 512;

		qt_fill(buf, len, &seed);
		CHECK(b->ops->pwritev(b, &(struct iovec){ buf, len }, 1, off) == 0);
		CHECK(b->ops->discard(b, off, len) == 0);
	}
}

/* Random writes, zeroings, discards, bursts of churn and flushes on the image IMG, logged. */
static void run_logged(const char *img)
{
	struct block_backend *b = qt_open(img, false);
	uint8_t *buf = malloc(1024 * 1024);

	CHECK(b != NULL);
	if (!b)
		return;
	traced = fd_of(img);
	CHECK(traced >= 0);
	for (int i = 0; i < OPS; i++) {
		uint64_t len = (qt_rand(&seed) % 256 + 1) * 512;
		uint64_t off = qt_rand(&seed) % (b->size / 512) * 512;
		unsigned kind = (unsigned)(qt_rand(&seed) % 20);

		if (kind == 2)
			len *= 8;	/* a large discard: up to 1 MiB */
		if (len > b->size - off)
			len = b->size - off;
		qt_fill(buf, len, &seed);
		if (kind == 0)
			CHECK(b->ops->write_zeroes(b, off, len, true) == 0);
		else if (kind <= 2)
			CHECK(b->ops->discard(b, off, len) == 0);
		else if (kind == 3)
			churn(b, buf, 128 * 1024, 8);
		else
			CHECK(b->ops->pwritev(b, &(struct iovec){ buf, len }, 1, off) == 0);
		if (i % 8 == 7)
			CHECK(b->ops->flush(b) == 0);
	}
	b->ops->close(b);
	traced = -1;
	free(buf);
}

/* IMG after the logged run, cut off at CRASH_POINTS random places: never corrupt. */
static void check_crash_points(const char *img, const uint8_t *base, uint64_t size)
{
	uint64_t cap = size;
	char cut[PATH_MAX + 8];
	uint8_t *buf;
	unsigned counts[2] = { 0, 0 };

	for (size_t i = 0; i < nlog; i++)
		if (log_entries[i].kind != SYNC && log_entries[i].off + log_entries[i].len > cap)
			cap = log_entries[i].off + log_entries[i].len;
	cap = (cap + PAGE - 1) / PAGE * PAGE;
	buf = malloc(cap);
	snprintf(cut, sizeof(cut), "%s.cut", img);
	for (int t = 0; t < CRASH_POINTS && !check_failures_in_test; t++) {
		size_t p = (size_t)(qt_rand(&seed) % (nlog + 1));
		uint64_t len = crashed_file(base, size, p, buf, cap);
		int st;

		CHECK(qt_write_file(cut, buf, len) == 0);
		st = qt_check(cut, true);
		CHECK(st == 0 || st == 3);
		if (st == 0 || st == 3)
			counts[st == 3]++;
		if (st != 0 && st != 3)
			printf("  crash at log entry %zu of %zu\n", p, nlog);
	}
	printf("  %s: %zu log entries; %u cuts clean, %u leaking\n", img, nlog, counts[0], counts[1]);
	free(buf);
	unlink(cut);
}

static void power_cuts(void)
{
	static const char *const create[] = {
		"qemu-img create -f qcow2 -o cluster_size=512,refcount_bits=64 p512.qcow2 8M",
		"qemu-img create -f qcow2 -o cluster_size=4096 -b base.raw -F raw p4k.qcow2 8M",
	};
	static const char *const names[] = { "p512.qcow2", "p4k.qcow2" };

	CHECK(qt_sh("cd '%s' && head -c 6M /dev/urandom > base.raw", dir) == 0);
	for (int i = 0; i < 2; i++) {
		char img[PATH_MAX];
		uint8_t *base;
		size_t size;

		CHECK(qt_sh("cd '%s' && %s", dir, create[i]) == 0);
		snprintf(img, sizeof(img), "%s/%s", dir, names[i]);
		base = qt_read_file(img, &size);
		CHECK(base != NULL);
		if (!base)
			return;
		run_logged(img);
		check_crash_points(img, base, size);
		for (size_t j = 0; j < nlog; j++)
			free(log_entries[j].data);
		nlog = 0;
		free(base);
	}
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(power_cuts);
	qt_done(dir);
	free(log_entries);
	return CHECK_SUMMARY();
}
