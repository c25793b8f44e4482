/* Unit tests of bad qcow2 images: refused at open in one line, -EIO at run time, not writable. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "check.h"

static char *dir;
static const char *corpus = "tests/qcow2/corrupt";

/* Messages some of the corpus must give (after "PATH: "). */
static const struct {
	const char *file, *message;
} messages[] = {
	{ "empty.qcow2", "truncated qcow2 header (the file has 0 bytes)" },
	{ "bad-magic.qcow2", "not a qcow2 image (bad magic at offset 0x0)" },
	{ "version-4.qcow2", "unsupported qcow2 version 4" },
	{ "cluster-bits-22.qcow2", "cluster_bits 22 at offset 0x14 is out of range (9 to 21)" },
	{ "l1-misaligned.qcow2", "L1 table at offset 0x608 is not cluster-aligned" },
	{ "l1-beyond-eof.qcow2", "L1 table at offset 0x7d000 (256 bytes) is outside the file" },
	{ "reftable-misaligned.qcow2", "refcount table at offset 0x240 is not cluster-aligned" },
	{ "l2-beyond-eof.qcow2", "L2 table at offset 0x40000000 (L1 entry 0) is outside the file" },
	{ "l2-misaligned.qcow2", "L2 table at offset 0x4200 (L1 entry 0) is not cluster-aligned" },
	{ "refblock-beyond-eof.qcow2", "refcount block at offset 0x40000000 (refcount table entry "
				       "0) is outside the file" },
	{ "incompat-extended-l2.qcow2", "unsupported incompatible feature bit 4 (extended L2 "
					"entries)" },
	{ "incompat-data-file.qcow2", "unsupported incompatible feature bit 2 (external data file)" },
	{ "incompat-zstd.qcow2", "unsupported incompatible feature bit 3 (compression type)" },
	{ "incompat-named.qcow2", "unsupported incompatible feature bit 9 (frobnication)" },
	{ "incompat-bit-63.qcow2", "unsupported incompatible feature bit 63 (unknown)" },
	{ "size-absurd.qcow2", "virtual size 4611686018427387904 at offset 0x18 is beyond 64 PiB" },
	{ "backing-loop-self.qcow2", "backing chain loops" },
	{ "backing-loop-a.qcow2", "backing chain loops" },
	{ "backing-missing.qcow2", "does-not-exist.qcow2: No such file or directory" },
	{ "backing-is-directory.qcow2", "is not a regular file" },
	{ "backing-name-newline.qcow2", "missing??[2Jname: No such file or directory" },
	{ "backing-format-vmdk.qcow2", "backing file format 'vmdk' is not supported" },
	{ "backing-corrupt.qcow2", "l1-misaligned.qcow2: L1 table at offset 0x608 is not "
				   "cluster-aligned" },
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* Open PATH with OPTS, expecting a refusal: one line starting "PATH: ", no fd left behind. */
static bool refused(const char *path, struct block_open_options o, char *err, size_t errlen)
{
	struct block_backend *b;
	int fds = count_fds();
	size_t plen = strlen(path);

	err[0] = 0;
	if (block_open(path, &o, &b, err, errlen) == 0) {
		printf("  %s: opened\n", path);
		b->ops->close(b);
		return false;
	}
	if (strncmp(err, path, plen) || strncmp(err + plen, ": ", 2) || strchr(err, '\n') ||
	    strlen(err) <= plen + 2 || count_fds() != fds) {
		printf("  %s: bad refusal: '%s'\n", path, err);
		return false;
	}
	return true;
}

/* Every corpus image, read-only, read-write (a copy) and under a snapshot overlay. */
static void corpus_refused(void)
{
	char path[PATH_MAX], copy[PATH_MAX], err[1024], tmp[PATH_MAX];
	struct block_open_options ro = { .format = BLOCK_FORMAT_QCOW2, .readonly = true };
	struct block_open_options rw = { .format = BLOCK_FORMAT_QCOW2 };
	struct block_open_options snap = { .format = BLOCK_FORMAT_QCOW2, .snapshot = true };
	DIR *d = opendir(corpus);
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(qt_sh("cp -r %s '%s/copy' && mkdir '%s/tmp'", corpus, dir, dir) == 0);
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	setenv("TMPDIR", tmp, 1);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", corpus, e->d_name);
		snprintf(copy, sizeof(copy), "%s/copy/%s", dir, e->d_name);
		CHECK(refused(path, ro, err, sizeof(err)));
		CHECK(refused(copy, rw, err, sizeof(err)));
		/* Whatever the chain is, it is not the image locking itself. */
		CHECK(!strstr(err, "in use by another process"));
		CHECK(refused(copy, snap, err, sizeof(err)));
		n++;
	}
	closedir(d);
	unsetenv("TMPDIR");
	CHECK(n >= 40);
	CHECK(qt_sh("test -z \"$(ls -A '%s')\"", tmp) == 0);	/* no overlay left behind */
	CHECK(qt_sh("diff -r %s '%s/copy'", corpus, dir) == 0);	/* nothing written */
}

static void corpus_messages(void)
{
	struct block_open_options ro = { .format = BLOCK_FORMAT_QCOW2, .readonly = true };
	char path[PATH_MAX], err[1024];

	for (size_t i = 0; i < sizeof(messages) / sizeof(*messages); i++) {
		snprintf(path, sizeof(path), "%s/%s", corpus, messages[i].file);
		CHECK(refused(path, ro, err, sizeof(err)));
		if (!strstr(err, messages[i].message)) {
			printf("  %s: '%s' lacks '%s'\n", messages[i].file, err, messages[i].message);
			CHECK(!"message");
		}
	}
}

/* Big-endian 64-bit field at OFF of the file FD. */
static uint64_t get64(int fd, uint64_t off)
{
	uint8_t b[8];
	uint64_t v = 0;

	CHECK(pread(fd, b, 8, (off_t)off) == 8);
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void put64(int fd, uint64_t off, uint64_t v)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	CHECK(pwrite(fd, b, 8, (off_t)off) == 8);
}

/* Where L2 entry I of the first L2 table of the image on FD is. */
static uint64_t l2_entry_at(int fd, unsigned i)
{
	uint64_t l1 = get64(fd, 40);

	return (get64(fd, l1) & 0x00fffffffffffe00ull) + 8ull * i;
}

/* L2 entries that lie (past the end of the file, reserved bits, metadata): -EIO; the rest reads. */
static void runtime_bad_entries(void)
{
	char img[PATH_MAX];
	struct block_backend *b;
	uint8_t buf[4096];
	struct iovec v = { buf, sizeof(buf) };
	int fd;

	snprintf(img, sizeof(img), "%s/runtime.qcow2", dir);
	CHECK(qt_sh("qemu-img create -f qcow2 -o cluster_size=4096 '%s' 1M && qemu-io -c "
		    "'write -P 0x33 0 64k' '%s'", img, img) == 0);
	fd = open(img, O_RDWR);
	put64(fd, l2_entry_at(fd, 0), (1ull << 63) | (1ull << 40));	/* far past the end */
	put64(fd, l2_entry_at(fd, 1), get64(fd, l2_entry_at(fd, 1)) | 2);	/* reserved bit 1 */
	put64(fd, l2_entry_at(fd, 2), 1ull << 63 | (4096 * 7 + 512));	/* misaligned */
	put64(fd, l2_entry_at(fd, 3), 1ull << 63);			/* offset 0 */
	put64(fd, l2_entry_at(fd, 4), 1ull << 63 | get64(fd, 40));	/* the L1 table */
	close(fd);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	for (int i = 0; i < 4; i++) {
		CHECK(b->ops->preadv(b, &v, 1, 4096ull * i) == -EIO);
		CHECK(b->ops->pwritev(b, &v, 1, 4096ull * i) == -EIO);
	}
	CHECK(b->ops->pwritev(b, &v, 1, 4096 * 4) == -EIO);	/* would overwrite metadata */
	CHECK(b->ops->preadv(b, &v, 1, 4096 * 5) == 0 && buf[0] == 0x33 && buf[4095] == 0x33);
	CHECK(b->ops->pwritev(b, &v, 1, 4096 * 5) == 0);
	b->ops->close(b);
}

/* A compressed cluster whose bytes are not deflate data: -EIO, not garbage. */
static void runtime_bad_compressed(void)
{
	char img[PATH_MAX];
	struct block_backend *b;
	uint8_t buf[4096], junk[512];
	uint64_t e;
	int fd;

	snprintf(img, sizeof(img), "%s/runtime-c.qcow2", dir);
	CHECK(qt_sh("head -c 1M /dev/zero | tr '\\0' 'z' > '%s.raw' && qemu-img convert -c -O qcow2 "
		    "-o cluster_size=4096 '%s.raw' '%s'", img, img, img) == 0);
	fd = open(img, O_RDWR);
	e = get64(fd, l2_entry_at(fd, 1));
	CHECK(e & (1ull << 62));
	memset(junk, 0xa5, sizeof(junk));
	CHECK(pwrite(fd, junk, sizeof(junk), (off_t)(e & ((1ull << 58) - 1))) == 512);
	close(fd);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, 512 }, 1, 4096) == -EIO);
	/* Further on, other compressed clusters (not sharing the damaged sector) still read. */
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, 4096 }, 1, 4096 * 200) == 0 && buf[100] == 'z');
	/* A partial write must not copy garbage either. */
	CHECK(b->ops->pwritev(b, &(struct iovec){ buf, 512 }, 1, 4096) == -EIO);
	b->ops->close(b);
}

/* Clusters past the end of the file left counted by a crashed writer are stepped over, not reused. */
static void stale_counts_past_end(void)
{
	char img[PATH_MAX];
	struct block_backend *b;
	uint8_t one[2] = { 0, 1 }, buf[4096] = { 9 };
	uint64_t refblock, first;
	int fd;

	snprintf(img, sizeof(img), "%s/stale.qcow2", dir);
	CHECK(qt_sh("qemu-img create -f qcow2 '%s' 1M", img) == 0);
	fd = open(img, O_RDWR);
	refblock = get64(fd, get64(fd, 48));
	first = ((uint64_t)lseek(fd, 0, SEEK_END) + 65535) / 65536;
	for (uint64_t c = first; c < first + 3; c++)
		CHECK(pwrite(fd, one, 2, (off_t)(refblock + 2 * c)) == 2);
	close(fd);
	CHECK(qt_check(img, false) == 0);	/* qemu-img check looks only inside the file */
	b = qt_open(img, false);
	CHECK(b && b->ops->pwritev(b, &(struct iovec){ buf, sizeof(buf) }, 1, 0) == 0);
	if (b)
		b->ops->close(b);
	/* Inside the file now, the three show as leaks; nothing is counted twice. */
	CHECK(qt_check(img, true) == 3);
	CHECK(qt_sh("qemu-io -c 'read -P 9 0 1' '%s' | grep -q 'read 1/1'", img) == 0);
}

/* Internal snapshots, the dirty and corrupt bits: readable, not writable, the message says why. */
static void refused_for_writing(void)
{
	struct block_open_options rw = { .format = BLOCK_FORMAT_AUTO };
	char img[PATH_MAX], err[1024];
	struct block_backend *b;
	uint8_t bits[2] = { 1, 2 };
	int fd;

	snprintf(img, sizeof(img), "%s/snap.qcow2", dir);
	CHECK(qt_sh("qemu-img create -f qcow2 '%s' 1M && qemu-img snapshot -c s1 '%s'", img, img) == 0);
	CHECK(refused(img, rw, err, sizeof(err)) && strstr(err, "has 1 internal snapshots"));
	CHECK((b = qt_open(img, true)) != NULL);
	if (b)
		b->ops->close(b);
	for (int i = 0; i < 2; i++) {
		snprintf(img, sizeof(img), "%s/bit%d.qcow2", dir, i);
		CHECK(qt_sh("qemu-img create -f qcow2 '%s' 1M", img) == 0);
		fd = open(img, O_RDWR);
		CHECK(pwrite(fd, &bits[i], 1, 79) == 1);
		close(fd);
		CHECK(refused(img, rw, err, sizeof(err)));
		CHECK(strstr(err, i ? "marked corrupt (incompatible feature bit 1)"
				    : "marked dirty (incompatible feature bit 0)") != NULL);
		CHECK((b = qt_open(img, true)) != NULL);
		if (b)
			b->ops->close(b);
	}
}

/* One writer at a time; readers share. */
static void locking(void)
{
	struct block_open_options rw = { .format = BLOCK_FORMAT_AUTO };
	char img[PATH_MAX], err[1024];
	struct block_backend *a, *c;

	snprintf(img, sizeof(img), "%s/lock.qcow2", dir);
	CHECK(qt_sh("qemu-img create -f qcow2 '%s' 1M", img) == 0);
	a = qt_open(img, false);
	CHECK(a != NULL);
	CHECK(refused(img, rw, err, sizeof(err)) && strstr(err, "in use by another process"));
	rw.readonly = true;
	CHECK(refused(img, rw, err, sizeof(err)));
	if (a)
		a->ops->close(a);
	a = qt_open(img, true);
	c = qt_open(img, true);
	CHECK(a && c);
	if (a)
		a->ops->close(a);
	if (c)
		c->ops->close(c);
}

/* Writing to an image with a persistent bitmap clears the autoclear bit that vouches for it. */
static void autoclear_cleared(void)
{
	char img[PATH_MAX];
	struct block_backend *b;
	uint8_t buf[512] = { 1 };
	int fd;

	snprintf(img, sizeof(img), "%s/bitmap.qcow2", dir);
	CHECK(qt_sh("qemu-img create -f qcow2 '%s' 1M && qemu-img bitmap --add '%s' b0", img,
		    img) == 0);
	fd = open(img, O_RDONLY);
	CHECK(get64(fd, 88) == 1);
	b = qt_open(img, false);
	CHECK(b && b->ops->pwritev(b, &(struct iovec){ buf, 512 }, 1, 0) == 0);
	if (b)
		b->ops->close(b);
	CHECK(get64(fd, 88) == 0);
	close(fd);
	/* QEMU then disowns the bitmap: its clusters show as leaked, which is all. */
	CHECK(qt_check(img, true) == 3);
}

int main(void)
{
	const char *env = getenv("QT_CORRUPT_DIR");

	if (env)
		corpus = env;
	dir = qt_mkdtemp();
	RUN(corpus_refused);
	RUN(corpus_messages);
	RUN(runtime_bad_entries);
	RUN(runtime_bad_compressed);
	RUN(stale_counts_past_end);
	RUN(refused_for_writing);
	RUN(locking);
	RUN(autoclear_cleared);
	qt_done(dir);
	return CHECK_SUMMARY();
}
