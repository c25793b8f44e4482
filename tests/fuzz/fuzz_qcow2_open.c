/* libFuzzer target: the input as a qcow2 image, opened and read (and written) via block_open(). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/block.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the guest would look: the start, the end, a cluster boundary, places the input picks. */
static uint64_t pick(const struct block_backend *b, const uint8_t *data, size_t size, int i)
{
	uint64_t sectors = b->size / 512, h = 14695981039346656037ull;

	if (!sectors)
		return 0;
	if (i == 0)
		return 0;
	if (i == 1)
		return (sectors - 1) * 512;
	if (i == 2)
		return sectors > 128 ? 127 * 512 : 0;
	for (size_t j = 0; j < size; j += 61)
		h = (h ^ data[j]) * 1099511628211ull;
	return (h >> (i * 5)) % sectors * 512;
}

/* Read (and, WRITE, change) a few places of B; every error is an answer, none may crash. */
static void exercise(struct block_backend *b, const uint8_t *data, size_t size, bool write)
{
	static uint8_t buf[128 * 1024];

	for (int i = 0; i < 6; i++) {
		uint64_t off = pick(b, data, size, i);
		size_t len = off + sizeof(buf) <= b->size ? sizeof(buf) : (size_t)(b->size - off);

		len &= ~(size_t)511;
		if (!len)
			continue;
		b->ops->preadv(b, &(struct iovec){ buf, len }, 1, off);
		if (!write)
			continue;
		if (i == 3)
			b->ops->write_zeroes(b, off, len, true);
		else if (i == 4)
			b->ops->discard(b, off, len);
		else
			b->ops->pwritev(b, &(struct iovec){ buf, len < 4096 ? len : 4096 }, 1, off);
	}
	if (write)
		b->ops->flush(b);
}

static char fuzz_dir[256];

/* Leave nothing in /dev/shm. */
static void cleanup(void)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/image", fuzz_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/backing.raw", fuzz_dir);
	unlink(path);
	rmdir(fuzz_dir);
}

/*
 * A directory with the image and a raw file named backing.raw for images to
 * name as backing; in memory (/dev/shm) where fdatasync costs nothing.
 */
static void setup(char *path, size_t len)
{
	char *dir = fuzz_dir;
	const char *tmp = getenv("FUZZ_DIR");
	uint8_t pattern[65536];
	int fd;

	snprintf(dir, sizeof(fuzz_dir), "%s/capsule-fuzz-XXXXXX", tmp && *tmp ? tmp : "/dev/shm");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(path, len, "%s/backing.raw", dir);
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + i / 512);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, pattern, sizeof(pattern)) != (ssize_t)sizeof(pattern))
		abort();
	close(fd);
	snprintf(path, len, "%s/image", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[320];
	struct block_open_options o = { .format = BLOCK_FORMAT_QCOW2, .readonly = !(size & 1) };
	struct block_backend *b;
	char err[1024];
	int fd;

	if (!path[0])
		setup(path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (block_open(path, &o, &b, err, sizeof(err)) < 0) {
		/* Refused: in one line, naming the image. */
		if (strchr(err, '\n') || strncmp(err, path, strlen(path)))
			abort();
		return 0;
	}
	exercise(b, data, size, !o.readonly);
	b->ops->close(b);
	return 0;
}
