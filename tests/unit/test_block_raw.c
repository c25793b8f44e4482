/* Unit tests of the raw disk backend and of opening images: detection, read-only, zeroes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "check.h"

static char *dir;
static uint64_t seed = 0x1234567887654321ull;

/* A raw file of LEN random bytes at DIR/NAME (its path in PATH); the bytes in *DATA. */
static void make_raw(const char *name, size_t len, char *path, uint8_t **data)
{
	*data = malloc(len + 1);
	qt_fill(*data, len, &seed);
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	CHECK(qt_write_file(path, *data, len) == 0);
}

static void read_write(void)
{
	char path[PATH_MAX];
	uint8_t *data, buf[8192], w[4096];
	struct block_backend *b;
	struct iovec iov[3];

	make_raw("rw.raw", 1 << 20, path, &data);
	b = qt_open(path, false);
	CHECK(b && b->size == 1 << 20 && !b->readonly);
	if (!b)
		return;
	CHECK(!strcmp(b->path, path));
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, sizeof(buf) }, 1, 4096) == 0);
	CHECK(!memcmp(buf, data + 4096, sizeof(buf)));
	qt_fill(w, sizeof(w), &seed);
	iov[0] = (struct iovec){ w, 512 };
	iov[1] = (struct iovec){ w + 512, 3000 };
	iov[2] = (struct iovec){ w + 3512, 584 };
	CHECK(b->ops->pwritev(b, iov, 3, 65536) == 0);
	memcpy(data + 65536, w, sizeof(w));
	CHECK(b->ops->flush(b) == 0);
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, 512 }, 1, 1 << 20) == -EINVAL);
	CHECK(b->ops->pwritev(b, &(struct iovec){ buf, 1024 }, 1, (1 << 20) - 512) == -EINVAL);
	CHECK(b->ops->discard(b, UINT64_MAX - 511, 1024) == -EINVAL);
	b->ops->close(b);
	b = qt_open(path, true);
	CHECK(b != NULL);
	if (b) {
		uint8_t *all = malloc(1 << 20);

		CHECK(qt_read_all(b, all, &seed) == 0 && !memcmp(all, data, 1 << 20));
		free(all);
		b->ops->close(b);
	}
	free(data);
}

/* A file that ends inside a sector is a disk of whole sectors, the tail reading as zeroes. */
static void ragged_end(void)
{
	char path[PATH_MAX];
	uint8_t *data, buf[1024];
	struct block_backend *b;

	make_raw("ragged.raw", 1000, path, &data);
	b = qt_open(path, true);
	CHECK(b && b->size == 1024);
	if (b) {
		CHECK(b->ops->preadv(b, &(struct iovec){ buf, 1024 }, 1, 0) == 0);
		CHECK(!memcmp(buf, data, 1000) && buf[1000] == 0 && buf[1023] == 0);
		b->ops->close(b);
	}
	free(data);
}

static void read_only(void)
{
	char path[PATH_MAX];
	uint8_t *data, buf[512] = { 0 };
	struct block_backend *b;

	make_raw("ro.raw", 65536, path, &data);
	CHECK(chmod(path, 0444) == 0);
	b = qt_open(path, true);
	CHECK(b && b->readonly);
	if (b) {
		CHECK(b->ops->pwritev(b, &(struct iovec){ buf, 512 }, 1, 0) == -EROFS);
		CHECK(b->ops->write_zeroes(b, 0, 512, true) == -EROFS);
		CHECK(b->ops->discard(b, 0, 512) == -EROFS);
		CHECK(b->ops->flush(b) == 0);
		b->ops->close(b);
	}
	free(data);
}

/* write_zeroes with and without unmapping, and discard, over ranges inside the file. */
static void zeroes_and_discard(void)
{
	char path[PATH_MAX];
	uint8_t *data, *all = malloc(1 << 20);
	struct block_backend *b;

	make_raw("z.raw", 1 << 20, path, &data);
	b = qt_open(path, false);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(b->ops->write_zeroes(b, 4096, 8192, true) == 0);
	CHECK(b->ops->write_zeroes(b, 65536 + 512, 100 * 512, false) == 0);
	memset(data + 4096, 0, 8192);
	memset(data + 65536 + 512, 0, 100 * 512);
	CHECK(b->ops->discard(b, 512 * 1024, 128 * 1024) == 0);
	CHECK(b->ops->preadv(b, &(struct iovec){ all, 1 << 20 }, 1, 0) == 0);
	/* Discarded bytes may read as anything: take them as they are. */
	memcpy(data + 512 * 1024, all + 512 * 1024, 128 * 1024);
	CHECK(!memcmp(all, data, 1 << 20));
	b->ops->close(b);
	free(all);
	free(data);
}

/* No qcow2 magic: raw; a short file too; a directory or a FIFO is refused in one line. */
static void detection_and_refusals(void)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .readonly = true };
	char path[PATH_MAX], err[512];
	struct block_backend *b;
	uint8_t *data;

	make_raw("tiny.raw", 3, path, &data);
	CHECK(block_open(path, &o, &b, err, sizeof(err)) == 0 && b->size == 512);
	if (b)
		b->ops->close(b);
	CHECK(block_open(dir, &o, &b, err, sizeof(err)) == -1 && b == NULL);
	CHECK(strstr(err, "not a regular file or block device") && !strchr(err, '\n'));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(block_open(path, &o, &b, err, sizeof(err)) == -1);
	CHECK(!strncmp(err, path, strlen(path)));
	snprintf(path, sizeof(path), "%s/missing.raw", dir);
	CHECK(block_open(path, &o, &b, err, sizeof(err)) == -1);
	CHECK(strstr(err, "missing.raw: cannot open: No such file or directory") != NULL);
	free(data);
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(read_write);
	RUN(ragged_end);
	RUN(read_only);
	RUN(zeroes_and_discard);
	RUN(detection_and_refusals);
	qt_done(dir);
	return CHECK_SUMMARY();
}
