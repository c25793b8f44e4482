/*
 * Unit tests of space reuse in qcow2 images: a guest that writes and discards
 * without ever flushing keeps the file near its live data; reused clusters
 * read as zeroes where they were not written, whether their hole punch worked
 * or not, and whether they were free before the image was opened. Punches
 * fail on request here (ld --wrap=fallocate).
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

#define MIB (1ull << 20)
#define LIVE (4 * MIB)
/* The file may exceed its live data by this much: the queue of frees (4 MiB), tables, one write. */
#define SLACK (8 * MIB)

static char *dir;
static uint64_t seed = 0x9e3779b97f4a7c15ull;
static bool punch_fails;

int __real_fallocate(int fd, int mode, off_t off, off_t len);
int __wrap_fallocate(int fd, int mode, off_t off, off_t len);

int __wrap_fallocate(int fd, int mode, off_t off, off_t len)
{
	if (punch_fails && (mode & FALLOC_FL_PUNCH_HOLE)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return __real_fallocate(fd, mode, off, len);
}

/* The size of the file open on FD. */
static uint64_t size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : UINT64_MAX;
}

/* The fd of the (unlinked) snapshot overlay the backend holds, or -1. */
static int overlay_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char link[300], target[PATH_MAX];
	int found = -1;

	while (d && (e = readdir(d))) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0 && (target[n] = 0, strstr(target, "capsule-overlay-")))
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* Whether LEN bytes at OFF of B read as EXPECT (NULL: zeroes). */
static bool reads_as(struct block_backend *b, uint64_t off, uint64_t len, const uint8_t *expect)
{
	uint8_t *got = malloc(len);
	bool ok = b->ops->preadv(b, &(struct iovec){ got, len }, 1, off) == 0;

	for (uint64_t i = 0; ok && i < len; i++)
		ok = got[i] == (expect ? expect[i] : 0);
	free(got);
	return ok;
}

/*
 * The guest-like loop: LIVE bytes written and kept, then TOTAL bytes of
 * "write 1 MiB, discard it" over the rest of B but its last MiB, never a
 * flush. FD is the image's file: its size is watched throughout. Returns the
 * largest seen.
 */
static uint64_t churn(struct block_backend *b, int fd, uint64_t total, uint8_t *live)
{
	uint64_t span = (b->size - LIVE) / MIB - 1, biggest = 0;
	uint8_t *buf = malloc(MIB);

	qt_fill(live, LIVE, &seed);
	CHECK(b->ops->pwritev(b, &(struct iovec){ live, LIVE }, 1, 0) == 0);
	qt_fill(buf, MIB, &seed);
	for (uint64_t i = 0; i < total / MIB && !check_failures_in_test; i++) {
		uint64_t off = LIVE + (i * 7 % span) * MIB, size;

		memcpy(buf, &i, sizeof(i));	/* each round's data its own */
		CHECK(b->ops->pwritev(b, &(struct iovec){ buf, MIB }, 1, off) == 0);
		if (i % 16 == 0)
			CHECK(reads_as(b, off, MIB, buf));
		CHECK(b->ops->discard(b, off, MIB) == 0);
		size = size_of(fd);
		if (size > biggest)
			biggest = size;
	}
	CHECK(reads_as(b, 0, LIVE, live));
	CHECK(reads_as(b, LIVE, 16 * MIB, NULL));
	free(buf);
	return biggest;
}

/* The loop on a new image made with OPTS (qemu-img create -o): TOTAL bytes of churn. */
static void churn_image(const char *opts, uint64_t disk, uint64_t total)
{
	char img[PATH_MAX];
	uint8_t *live = malloc(LIVE);
	struct block_backend *b;
	uint64_t biggest;
	int fd;

	snprintf(img, sizeof(img), "%s/churn.qcow2", dir);
	CHECK(qt_sh("rm -f '%s' && qemu-img create -f qcow2 -o %s '%s' %llu", img, opts, img,
		    (unsigned long long)disk) == 0);
	b = qt_open(img, false);
	fd = open(img, O_RDONLY);
	CHECK(b && fd >= 0);
	if (b && fd >= 0) {
		biggest = churn(b, fd, total, live);
		printf("  %s: %llu MiB written and discarded, %llu MiB live: the file peaked at "
		       "%.2f MiB\n", opts, (unsigned long long)(total / MIB),
		       (unsigned long long)(LIVE / MIB), (double)biggest / MIB);
		CHECK(biggest <= LIVE + SLACK);
		b->ops->close(b);
		CHECK(qt_check(img, false) == 0);
		CHECK(qt_write_file(qt_in(dir, "live.raw"), live, LIVE) == 0);
		CHECK(qt_sh("cd '%s' && rm -f expect.raw && truncate -s %llu expect.raw && dd "
			    "if=live.raw of=expect.raw conv=notrunc && qemu-img compare '%s' "
			    "expect.raw", dir, (unsigned long long)disk, img) == 0);
	}
	if (fd >= 0)
		close(fd);
	free(live);
}

/* 1 GiB of churn at the default cluster size; less at small ones, which cost more per byte. */
static void churn_without_flush(void)
{
	churn_image("cluster_size=65536", 1024 * MIB, 1024 * MIB);
	churn_image("cluster_size=4096,compat=0.10", 256 * MIB, 256 * MIB);
	churn_image("cluster_size=512,refcount_bits=64", 64 * MIB, 64 * MIB);
}

/* The same through snapshot = true: the overlay in $TMPDIR over a raw base stays small. */
static void churn_overlay(void)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .snapshot = true };
	char base[PATH_MAX], err[512];
	uint8_t *live = malloc(LIVE), *tail = NULL;
	struct block_backend *b;
	uint64_t biggest;
	size_t len;
	int fd;

	snprintf(base, sizeof(base), "%s/base.raw", dir);
	CHECK(qt_sh("cd '%s' && head -c 64M /dev/urandom > base.raw && cp base.raw base.orig && "
		    "mkdir -p tmp", dir) == 0);
	setenv("TMPDIR", qt_in(dir, "tmp"), 1);
	CHECK(block_open(base, &o, &b, err, sizeof(err)) == 0);
	fd = overlay_fd();
	CHECK(fd >= 0);
	if (b && fd >= 0) {
		biggest = churn(b, fd, 1024 * MIB, live);
		printf("  overlay over 64 MiB of raw: 1024 MiB written and discarded, 4 MiB live: "
		       "the overlay peaked at %.2f MiB\n", (double)biggest / MIB);
		CHECK(biggest <= LIVE + SLACK);
		/* Discarded clusters read as zeroes, not as the base; the untouched last MiB as the base. */
		CHECK(qt_sh("cd '%s' && tail -c 1M base.raw > tail.raw", dir) == 0);
		tail = qt_read_file(qt_in(dir, "tail.raw"), &len);
		CHECK(tail && reads_as(b, 63 * MIB, MIB, tail));
		CHECK(b->ops->flush(b) == 0);
		CHECK(qt_sh("qemu-img check -U /proc/%d/fd/%d", (int)getpid(), fd) == 0);
		b->ops->close(b);
	}
	unsetenv("TMPDIR");
	CHECK(qt_sh("cd '%s' && cmp base.raw base.orig && test -z \"$(ls -A tmp)\"", dir) == 0);
	free(live);
	free(tail);
}

/* What reused_clusters_read_zero() leaves in its 64 MiB disk, as a raw file. */
static void expect_reused(const uint8_t *part)
{
	uint8_t *raw = calloc(1, 132 << 16);

	for (uint64_t c = 100; c < 132; c++)
		memcpy(raw + (c << 16) + 4096, part, 512);
	CHECK(qt_write_file(qt_in(dir, "expect.raw"), raw, 132 << 16) == 0);
	CHECK(qt_sh("truncate -s 64M '%s'", qt_in(dir, "expect.raw")) == 0);
	free(raw);
}

/*
 * Guest clusters 0-31 hold 0xab, then are freed: through the backend (its
 * hole punches working when MODE is 0, failing when 1), or (MODE 2) by
 * patching the image, so that they are free but full when it is opened.
 */
static void free_full_clusters(const char *img, int mode, struct block_backend **b)
{
	uint8_t *full = malloc(2 * MIB);
	int fd;

	memset(full, 0xab, 2 * MIB);
	CHECK(qt_sh("qemu-img create -f qcow2 '%s' 64M", img) == 0);
	if (mode == 2)
		CHECK(qt_sh("qemu-io -c 'write -P 0xab 0 2M' '%s'", img) == 0);
	if (mode == 2 && (fd = open(img, O_RDWR)) >= 0) {
		uint64_t l2 = qt_get_be(fd, qt_get_be(fd, 40, 8), 8) & 0x00fffffffffffe00ull;
		uint64_t rb = qt_get_be(fd, qt_get_be(fd, 48, 8), 8);

		for (uint64_t c = 0; c < 32; c++) {
			uint64_t host = qt_get_be(fd, l2 + 8 * c, 8) & 0x00fffffffffffe00ull;

			CHECK(qt_put_be(fd, l2 + 8 * c, 8, 0) == 0);
			CHECK(qt_put_be(fd, rb + 2 * (host >> 16), 2, 0) == 0);
		}
		close(fd);
	}
	*b = qt_open(img, false);
	if (mode != 2 && *b) {
		CHECK((*b)->ops->pwritev(*b, &(struct iovec){ full, 2 * MIB }, 1, 0) == 0);
		CHECK((*b)->ops->flush(*b) == 0);
	}
	free(full);
	if (mode == 2 || !*b)
		return;
	punch_fails = mode == 1;
	CHECK((*b)->ops->discard(*b, 0, 32 << 16) == 0);
	CHECK((*b)->ops->flush(*b) == 0);
	punch_fails = false;
}

/*
 * Clusters full of 0xab are freed, then reused by small writes into
 * unallocated clusters: the rest of each must read as zeroes, and the file
 * must not grow.
 */
static void reused_clusters_read_zero(void)
{
	uint8_t part[512];
	char img[PATH_MAX];
	struct block_backend *b;
	uint64_t before;
	int fd;

	memset(part, 0xcd, sizeof(part));
	expect_reused(part);
	for (int mode = 0; mode < 3; mode++) {
		snprintf(img, sizeof(img), "%s/zeroed%d.qcow2", dir, mode);
		free_full_clusters(img, mode, &b);
		fd = open(img, O_RDONLY);
		CHECK(b && fd >= 0);
		if (!b || fd < 0)
			continue;
		before = size_of(fd);
		for (uint64_t c = 100; c < 132; c++)
			CHECK(b->ops->pwritev(b, &(struct iovec){ part, sizeof(part) }, 1,
					      (c << 16) + 4096) == 0);
		CHECK(size_of(fd) == before);
		for (uint64_t c = 100; c < 132; c++)
			CHECK(reads_as(b, c << 16, 4096, NULL) &&
			      reads_as(b, (c << 16) + 4096, sizeof(part), part) &&
			      reads_as(b, (c << 16) + 4608, 65536 - 4608, NULL));
		b->ops->close(b);
		close(fd);
		CHECK(qt_check(img, false) == 0);
		CHECK(qt_sh("cd '%s' && qemu-img compare '%s' expect.raw", dir, img) == 0);
	}
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(reused_clusters_read_zero);
	RUN(churn_without_flush);
	RUN(churn_overlay);
	qt_done(dir);
	return CHECK_SUMMARY();
}
