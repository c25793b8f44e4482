/* Helpers for the disk backend unit tests: temporary directories, qemu-img, comparisons. */
#include "qtest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PIECE (3u << 20)
#define MAX_SPLIT 7

char *qt_mkdtemp(void)
{
	const char *t = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/capsule-qtest-XXXXXX", t && *t ? t : "/tmp") < 0 || !mkdtemp(dir)) {
		perror("qt_mkdtemp");
		exit(2);
	}
	return dir;
}

void qt_done(char *dir)
{
	if (!getenv("QT_KEEP"))
		qt_sh("rm -rf '%s'", dir);
	else
		printf("  kept %s\n", dir);
	free(dir);
}

const char *qt_in(const char *dir, const char *name)
{
	static char bufs[4][4096];
	static unsigned which;

	which = (which + 1) % 4;
	snprintf(bufs[which], sizeof(bufs[which]), "%s/%s", dir, name);
	return bufs[which];
}

static int status_of(int st)
{
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

int qt_sh(const char *fmt, ...)
{
	char *cmd, *full;
	va_list ap;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (asprintf(&full, "( %s ) >/dev/null 2>&1", cmd) < 0)
		abort();
	st = system(full);
	free(cmd);
	free(full);
	return status_of(st);
}

int qt_sh_out(char *out, size_t outlen, const char *fmt, ...)
{
	size_t n = 0;
	char *cmd;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	while (outlen && n < outlen - 1) {
		size_t got = fread(out + n, 1, outlen - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	if (outlen)
		out[n] = 0;
	return status_of(pclose(p));
}

uint8_t *qt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

int qt_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (!f)
		return -1;
	if (fwrite(buf, 1, len, f) != len)
		r = -1;
	if (fclose(f))
		r = -1;
	return r;
}

uint64_t qt_get_be(int fd, uint64_t off, unsigned width)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (pread(fd, b, width, (off_t)off) != (ssize_t)width)
		return 0;
	for (unsigned i = 0; i < width; i++)
		v = v << 8 | b[i];
	return v;
}

int qt_put_be(int fd, uint64_t off, unsigned width, uint64_t v)
{
	uint8_t b[8];

	for (unsigned i = width; i-- > 0; v >>= 8)
		b[i] = (uint8_t)v;
	return pwrite(fd, b, width, (off_t)off) == (ssize_t)width ? 0 : -1;
}

uint64_t qt_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

void qt_fill(uint8_t *buf, size_t len, uint64_t *state)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = qt_rand(state);

		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

struct block_backend *qt_open(const char *path, bool readonly)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .readonly = readonly };
	struct block_backend *b;
	char err[512];

	if (block_open(path, &o, &b, err, sizeof(err)) < 0) {
		printf("  open %s: %s\n", path, err);
		return NULL;
	}
	return b;
}

int qt_read_all(struct block_backend *b, uint8_t *buf, uint64_t *seed)
{
	uint64_t off = 0;

	while (off < b->size) {
		uint64_t left = b->size - off, n = (qt_rand(seed) % (MAX_PIECE / 512) + 1) * 512;
		struct iovec iov[MAX_SPLIT];
		int cnt = 0;
		size_t at = 0;
		int r;

		if (n > left)
			n = left;
		/* Split the piece into iovecs at random sector boundaries. */
		while (at < n && cnt < MAX_SPLIT) {
			size_t part = cnt == MAX_SPLIT - 1 ? n - at
				      : (qt_rand(seed) % ((n - at + 511) / 512) + 1) * 512;

			if (part > n - at)
				part = n - at;
			iov[cnt++] = (struct iovec){ buf + off + at, part };
			at += part;
		}
		r = b->ops->preadv(b, iov, cnt, off);
		if (r < 0)
			return r;
		off += n;
	}
	return 0;
}

bool qt_equals_raw(struct block_backend *b, const char *raw, uint64_t *seed)
{
	size_t len;
	uint8_t *want = qt_read_file(raw, &len), *got = malloc(b->size + 1);
	bool ok = false;
	int r;

	if (!want || !got || len > b->size || b->size - len >= 512) {
		printf("  %s: cannot read it, or its size %zu is not the disk's %llu\n", raw,
		       want ? len : 0, (unsigned long long)b->size);
		goto out;
	}
	r = qt_read_all(b, got, seed);
	if (r < 0) {
		printf("  reading %s: error %d\n", b->path, r);
		goto out;
	}
	ok = true;
	for (uint64_t i = 0; i < b->size; i++) {
		uint8_t w = i < len ? want[i] : 0;

		if (got[i] != w) {
			printf("  %s: byte 0x%llx is 0x%02x, qemu-img says 0x%02x\n", b->path,
			       (unsigned long long)i, got[i], w);
			ok = false;
			break;
		}
	}
out:
	free(want);
	free(got);
	return ok;
}

int qt_check(const char *image, bool leaks_ok)
{
	char out[2048];
	int st = qt_sh_out(out, sizeof(out), "qemu-img check '%s' 2>&1", image);

	if (st && !(st == 3 && leaks_ok))
		printf("  qemu-img check %s: status %d\n%s\n", image, st, out);
	return st;
}
