/* Unit tests of snapshot = true: a throwaway overlay takes the writes, the base is untouched. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "backend/block_impl.h"
#include "check.h"

static char *dir, tmp[PATH_MAX];
static uint64_t seed = 0x0123456789abcdefull;

/* Random writes (some partial clusters, some zeroing) through B, mirrored in EXPECT. */
static void scribble(struct block_backend *b, uint8_t *expect, int n)
{
	uint8_t *buf = malloc(256u << 10);

	for (int i = 0; i < n; i++) {
		uint64_t len = (qt_rand(&seed) % 512 + 1) * 512;
		uint64_t off = qt_rand(&seed) % (b->size / 512) * 512;

		if (len > b->size - off)
			len = b->size - off;
		if (i % 7 == 6) {
			CHECK(b->ops->write_zeroes(b, off, len, true) == 0);
			memset(expect + off, 0, len);
			continue;
		}
		qt_fill(buf, len, &seed);
		CHECK(b->ops->pwritev(b, &(struct iovec){ buf, len }, 1, off) == 0);
		memcpy(expect + off, buf, len);
	}
	free(buf);
}

/* Open IMAGE with snapshot = true, write all over it; the image's file must not change. */
static void overlay_over(const char *image)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .snapshot = true };
	size_t before_len, after_len;
	uint8_t *before = qt_read_file(image, &before_len), *after, *expect, *got;
	struct block_backend *b;
	char err[512];

	CHECK(block_open(image, &o, &b, err, sizeof(err)) == 0);
	if (!before || !b)
		return;
	CHECK(!b->readonly && !strcmp(b->path, image));
	/* The overlay file is unlinked as soon as it is open. */
	CHECK(qt_sh("test -z \"$(ls -A '%s')\"", tmp) == 0);
	expect = malloc(b->size);
	got = malloc(b->size);
	CHECK(qt_read_all(b, expect, &seed) == 0);
	scribble(b, expect, 200);
	CHECK(b->ops->flush(b) == 0);
	CHECK(b->ops->discard(b, 0, 65536) == 0);
	CHECK(b->ops->preadv(b, &(struct iovec){ got, 65536 }, 1, 0) == 0);
	memcpy(expect, got, 65536);
	CHECK(qt_read_all(b, got, &seed) == 0 && !memcmp(got, expect, b->size));
	b->ops->close(b);
	after = qt_read_file(image, &after_len);
	CHECK(after && after_len == before_len && !memcmp(before, after, before_len));
	CHECK(qt_sh("test -z \"$(ls -A '%s')\"", tmp) == 0);
	free(before);
	free(after);
	free(expect);
	free(got);
}

/* Over a raw image with a ragged end, and over a qcow2 image with its own backing file. */
static void base_untouched(void)
{
	char raw[PATH_MAX], q[PATH_MAX];
	uint8_t *data = malloc((3u << 20) + 100);

	snprintf(raw, sizeof(raw), "%s/base.raw", dir);
	qt_fill(data, (3u << 20) + 100, &seed);
	CHECK(qt_write_file(raw, data, (3u << 20) + 100) == 0);
	free(data);
	overlay_over(raw);
	snprintf(q, sizeof(q), "%s/mid.qcow2", dir);
	CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 -o cluster_size=4096 -b base.raw -F raw "
		    "mid.qcow2 4M && qemu-io -c 'write -P 7 1M 100k' mid.qcow2", dir) == 0);
	overlay_over(q);
}

/* The overlay as written to a named file: qemu-img finds it clean and equal to its base. */
static void overlay_format(void)
{
	char base[PATH_MAX], ov[PATH_MAX], err[512];
	struct block_backend *b;
	uint8_t *expect;
	int fd;

	snprintf(base, sizeof(base), "%s/base.raw", dir);
	snprintf(ov, sizeof(ov), "%s/named-overlay.qcow2", dir);
	fd = open(ov, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(qcow2_create_overlay(fd, ov, (3u << 20) + 512, base, "raw", err, sizeof(err)) == 0);
	close(fd);
	CHECK(qt_check(ov, false) == 0);
	CHECK(qt_sh("qemu-img info '%s' | grep -q 'backing file format: raw'", ov) == 0);
	CHECK(qt_sh("qemu-img compare '%s' '%s'", ov, base) == 0);
	/* And it is an image like any other: write to it, qemu-img agrees. */
	b = qt_open(ov, false);
	CHECK(b != NULL);
	if (!b)
		return;
	expect = malloc(b->size);
	CHECK(qt_read_all(b, expect, &seed) == 0);
	scribble(b, expect, 100);
	b->ops->close(b);
	CHECK(qt_check(ov, false) == 0);
	CHECK(qt_write_file(base, expect, (3u << 20) + 512) == 0);	/* (base changes: last use) */
	CHECK(qt_sh("qemu-img compare -f qcow2 '%s' -F raw '%s'", ov, base) == 0);
	free(expect);
}

/* Failures leave nothing: no overlay file, no fd. */
static void failures_leave_nothing(void)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .snapshot = true };
	char img[PATH_MAX], err[512];
	struct block_backend *b;

	snprintf(img, sizeof(img), "%s/missing.raw", dir);
	CHECK(block_open(img, &o, &b, err, sizeof(err)) == -1 && strstr(err, "cannot open"));
	setenv("TMPDIR", tmp, 1);
	CHECK(qt_sh("test -z \"$(ls -A '%s')\"", tmp) == 0);
}

/* A $TMPDIR that cannot hold the overlay: the next place (/var/tmp, /tmp) does. */
static void overlay_falls_back(void)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .snapshot = true };
	struct block_backend *b;
	char img[PATH_MAX], err[512];

	setenv("TMPDIR", "/nonexistent-capsule-dir", 1);
	snprintf(img, sizeof(img), "%s/base.raw", dir);
	CHECK(block_open(img, &o, &b, err, sizeof(err)) == 0);
	if (b) {
		CHECK(b->ops->pwritev(b, &(struct iovec){ err, 512 }, 1, 0) == 0);
		b->ops->close(b);
	}
	setenv("TMPDIR", tmp, 1);
}

int main(void)
{
	dir = qt_mkdtemp();
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	CHECK(qt_sh("mkdir '%s'", tmp) == 0);
	setenv("TMPDIR", tmp, 1);
	RUN(base_untouched);
	RUN(overlay_format);
	RUN(failures_leave_nothing);
	RUN(overlay_falls_back);
	unsetenv("TMPDIR");
	qt_done(dir);
	return CHECK_SUMMARY();
}
