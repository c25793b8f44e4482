/* Unit tests of qcow2 writes: random writes through the backend, qemu-img check and compare. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "check.h"

/* DIR/NAME (qt_in()). */
#define IN_DIR(name) qt_in(dir, name)

static char *dir;
static uint64_t seed = 0x2545f4914f6cdd1dull;

/* What qemu-img reads from IMAGE (SIZE bytes, zero-padded). */
static uint8_t *qemu_contents(const char *image, uint64_t size)
{
	uint8_t *want = calloc(1, size), *got;
	size_t len;

	CHECK(qt_sh("qemu-img convert -O raw '%s' '%s'", image, IN_DIR("contents.raw")) == 0);
	got = qt_read_file(IN_DIR("contents.raw"), &len);
	CHECK(got && len <= size);
	if (got)
		memcpy(want, got, len < size ? len : size);
	free(got);
	unlink(IN_DIR("contents.raw"));
	return want;
}

/* Write LEN random bytes at OFF through B over 1 to 4 iovecs, and into EXPECT. */
static int random_write(struct block_backend *b, uint8_t *expect, uint64_t off, uint64_t len)
{
	struct iovec iov[4];
	uint8_t *data = malloc(len);
	int cnt = 0, r;

	qt_fill(data, len, &seed);
	for (uint64_t at = 0; at < len; cnt++) {
		uint64_t part = cnt == 3 ? len - at : (qt_rand(&seed) % ((len - at) / 512) + 1) * 512;

		iov[cnt] = (struct iovec){ data + at, part };
		at += part;
	}
	r = b->ops->pwritev(b, iov, cnt, off);
	if (!r)
		memcpy(expect + off, data, len);
	free(data);
	return r;
}

/* Discard may keep the old bytes or give zeroes, sector by sector: take what it gave. */
static void check_discard(struct block_backend *b, uint8_t *expect, uint64_t off, uint64_t len)
{
	static const uint8_t zero[512];
	uint8_t *got = malloc(len);

	CHECK(b->ops->discard(b, off, len) == 0);
	CHECK(b->ops->preadv(b, &(struct iovec){ got, len }, 1, off) == 0);
	for (uint64_t s = 0; s < len; s += 512)
		CHECK(!memcmp(got + s, zero, 512) || !memcmp(got + s, expect + off + s, 512));
	memcpy(expect + off, got, len);
	free(got);
}

/* N random writes, zeroings, discards, reads and flushes on B, mirrored in EXPECT. */
static void random_ops(struct block_backend *b, uint8_t *expect, unsigned cluster, int n)
{
	uint64_t max = cluster * 3ull < (192u << 10) ? (192u << 10) : cluster * 3ull;

	for (int i = 0; i < n; i++) {
		uint64_t len = (qt_rand(&seed) % (max / 512) + 1) * 512;
		uint64_t off = qt_rand(&seed) % (b->size / 512) * 512;
		unsigned kind = (unsigned)(qt_rand(&seed) % 100);

		if (len > b->size - off)
			len = b->size - off;
		if (kind < 60) {
			CHECK(random_write(b, expect, off, len) == 0);
		} else if (kind < 80) {
			uint8_t *got = malloc(len);

			CHECK(b->ops->preadv(b, &(struct iovec){ got, len }, 1, off) == 0);
			CHECK(!memcmp(got, expect + off, len));
			free(got);
		} else if (kind < 88) {
			CHECK(b->ops->write_zeroes(b, off, len, kind & 1) == 0);
			memset(expect + off, 0, len);
		} else if (kind < 95) {
			check_discard(b, expect, off, len);
		} else {
			CHECK(b->ops->flush(b) == 0);
		}
	}
}

/* B reads exactly EXPECT. */
static bool reads_as(struct block_backend *b, const uint8_t *expect)
{
	uint8_t *got = malloc(b->size);
	bool same = qt_read_all(b, got, &seed) == 0 && !memcmp(got, expect, b->size);

	free(got);
	return same;
}

/*
 * Random operations on IMAGE (CLUSTER-sized clusters) through the backend,
 * then: qemu-img check clean, qemu-img compare equal, and the same bytes
 * again after reopening.
 */
static void exercise(const char *name, unsigned cluster, int n)
{
	char image[PATH_MAX];
	struct block_backend *b;
	uint8_t *expect;

	snprintf(image, sizeof(image), "%s", IN_DIR(name));
	b = qt_open(image, false);

	CHECK(b != NULL);
	if (!b)
		return;
	expect = qemu_contents(image, b->size);
	random_ops(b, expect, cluster, n);
	CHECK(reads_as(b, expect));
	b->ops->close(b);
	CHECK(qt_check(image, false) == 0);
	b = qt_open(image, true);
	if (b) {
		CHECK(qt_write_file(IN_DIR("expect.raw"), expect, b->size) == 0);
		CHECK(qt_sh("qemu-img compare -f qcow2 -F raw '%s' '%s'", image,
			    IN_DIR("expect.raw")) == 0);
		CHECK(reads_as(b, expect));
		b->ops->close(b);
	}
	free(expect);
}

static const struct {
	unsigned cluster, refcount_bits;
	const char *compat, *backing;	/* backing: "", "raw" or "qcow2" */
} configs[] = {
	{ 512, 16, "0.10", "qcow2" },	{ 512, 64, "1.1", "" },	   { 4096, 1, "1.1", "raw" },
	{ 4096, 2, "1.1", "qcow2" },	{ 4096, 4, "1.1", "" },    { 65536, 8, "1.1", "" },
	{ 65536, 16, "1.1", "qcow2" },	{ 65536, 32, "1.1", "raw" },  { 65536, 16, "0.10", "raw" },
	{ 2u << 20, 16, "1.1", "raw" },
	{ 2u << 20, 16, "0.10", "qcow2" },
};

/* Backing files: a raw one with a ragged end, a qcow2 one partly compressed. */
static void make_backings(void)
{
	uint64_t size = (5u << 20) + 512;
	uint8_t *buf = malloc(size);

	qt_fill(buf, size, &seed);
	memset(buf + (1u << 20), 0, 1u << 20);
	CHECK(qt_write_file(IN_DIR("base.raw"), buf, size) == 0);
	free(buf);
	CHECK(qt_sh("cd '%s' && qemu-img convert -c -O qcow2 base.raw base.qcow2 && "
		    "qemu-io -c 'write -P 0x11 3M 300k' base.qcow2", dir) == 0);
}

static void configurations(void)
{
	make_backings();
	for (size_t i = 0; i < sizeof(configs) / sizeof(*configs); i++) {
		char name[64], opts[256];

		snprintf(name, sizeof(name), "w%zu.qcow2", i);
		snprintf(opts, sizeof(opts), "cluster_size=%u,refcount_bits=%u,compat=%s",
			 configs[i].cluster, configs[i].refcount_bits, configs[i].compat);
		if (*configs[i].backing)
			CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 -o %s -b base.%s -F %s %s 6M",
				    dir, opts, configs[i].backing, configs[i].backing, name) == 0);
		else
			CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 -o %s %s 6M", dir, opts,
				    name) == 0);
		exercise(name, configs[i].cluster, 150);
	}
}

/* Writing over compressed clusters rewrites them uncompressed, and frees them. */
static void over_compressed(void)
{
	char out[512];

	CHECK(qt_sh("cd '%s' && qemu-img convert -c -O qcow2 -o cluster_size=4096 base.raw "
		    "oc.qcow2", dir) == 0);
	exercise("oc.qcow2", 4096, 300);
	qt_sh_out(out, sizeof(out), "qemu-img check '%s'", IN_DIR("oc.qcow2"));
	CHECK(strstr(out, "No errors") != NULL);
}

/* Filling a 512-byte-cluster image with 64-bit refcounts moves its refcount table, repeatedly. */
static void refcount_table_grows(void)
{
	char img[PATH_MAX];
	uint8_t before[12], after[12];
	struct block_backend *b;
	uint8_t *expect;
	int fd;

	snprintf(img, sizeof(img), "%s", IN_DIR("grow.qcow2"));
	CHECK(qt_sh("qemu-img create -f qcow2 -o cluster_size=512,refcount_bits=64 '%s' 8M",
		    img) == 0);
	fd = open(img, O_RDONLY);
	CHECK(pread(fd, before, sizeof(before), 48) == (ssize_t)sizeof(before));
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	expect = calloc(1, b->size);
	for (uint64_t off = 0; off < b->size; off += 256u << 10)
		CHECK(random_write(b, expect, off, 256u << 10) == 0);
	CHECK(reads_as(b, expect));
	b->ops->close(b);
	CHECK(pread(fd, after, sizeof(after), 48) == (ssize_t)sizeof(after));
	close(fd);
	CHECK(memcmp(before, after, sizeof(before)) != 0);
	CHECK(qt_check(img, false) == 0);
	CHECK(qt_write_file(IN_DIR("expect.raw"), expect, 8u << 20) == 0);
	CHECK(qt_sh("qemu-img compare '%s' '%s'", img, IN_DIR("expect.raw")) == 0);
	free(expect);
}

struct writer {
	struct block_backend *b;
	uint8_t *expect;
	uint64_t start, len, seed;
};

/* One thread's share: random writes and reads within its own range. */
static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	uint8_t buf[8192], got[8192];

	for (int i = 0; i < 300; i++) {
		uint64_t off = w->start + qt_rand(&w->seed) % ((w->len - sizeof(buf)) / 512) * 512;

		qt_fill(buf, sizeof(buf), &w->seed);
		if (w->b->ops->pwritev(w->b, &(struct iovec){ buf, sizeof(buf) }, 1, off) ||
		    w->b->ops->preadv(w->b, &(struct iovec){ got, sizeof(got) }, 1, off) ||
		    memcmp(buf, got, sizeof(buf)))
			return (void *)1;
		memcpy(w->expect + off, buf, sizeof(buf));
	}
	return NULL;
}

/* Four threads writing at once (over a backing file), each in its own quarter. */
static void concurrent_writers(void)
{
	char img[PATH_MAX];
	struct writer w[4];
	pthread_t t[4];
	struct block_backend *b;
	uint8_t *expect;

	snprintf(img, sizeof(img), "%s", IN_DIR("threads.qcow2"));
	CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 -o cluster_size=4096 -b base.qcow2 "
		    "-F qcow2 threads.qcow2 6M", dir) == 0);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	expect = qemu_contents(img, b->size);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){ b, expect, i * (b->size / 4), b->size / 4, 1234567u + i };
		pthread_create(&t[i], NULL, writer_thread, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		void *res;

		pthread_join(t[i], &res);
		CHECK(res == NULL);
	}
	CHECK(reads_as(b, expect));
	b->ops->close(b);
	CHECK(qt_check(img, false) == 0);
	free(expect);
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(configurations);
	RUN(over_compressed);
	RUN(refcount_table_grows);
	RUN(concurrent_writers);
	qt_done(dir);
	return CHECK_SUMMARY();
}
