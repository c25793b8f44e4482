/* Unit tests of qcow2 reads: images made by qemu-img and qemu-io, compared byte for byte. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "backend/qcow2.h"
#include "check.h"

/* DIR/NAME (qt_in()). */
#define IN_DIR(name) qt_in(dir, name)

static char *dir;
static uint64_t seed = 0x9e3779b97f4a7c15ull;

/* qemu-io commands writing, zeroing and discarding at random in a disk of SIZE bytes. */
static void random_qemu_io(const char *image, uint64_t size, unsigned cluster, int n)
{
	char *cmd = NULL;
	size_t cap = 0;
	FILE *f = open_memstream(&cmd, &cap);

	fprintf(f, "qemu-io -f qcow2");
	for (int i = 0; i < n; i++) {
		uint64_t max = cluster * 3ull < (256u << 10) ? (256u << 10) : cluster * 3ull;
		uint64_t len = (qt_rand(&seed) % (max / 512) + 1) * 512;
		uint64_t off = qt_rand(&seed) % (size / 512) * 512;
		unsigned kind = (unsigned)(qt_rand(&seed) % 10);

		if (len > size - off)
			len = size - off;
		if (kind < 7)
			fprintf(f, " -c 'write -P 0x%02x %llu %llu'", (unsigned)(qt_rand(&seed) & 0xff),
				(unsigned long long)off, (unsigned long long)len);
		else if (kind < 9)
			fprintf(f, " -c 'write -z %llu %llu'", (unsigned long long)off,
				(unsigned long long)len);
		else
			fprintf(f, " -c 'discard %llu %llu'", (unsigned long long)off,
				(unsigned long long)len);
	}
	fprintf(f, " '%s'", image);
	fclose(f);
	CHECK(qt_sh("%s", cmd) == 0);
	free(cmd);
}

/* Open IMAGE through the block layer and compare it with qemu-img's raw conversion. */
static void compare_with_qemu(const char *image)
{
	char raw[PATH_MAX];
	struct block_backend *b;

	snprintf(raw, sizeof(raw), "%s.raw", image);
	CHECK(qt_sh("qemu-img convert -O raw '%s' '%s'", image, raw) == 0);
	b = qt_open(image, true);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(qt_equals_raw(b, raw, &seed));
	b->ops->close(b);
	unlink(raw);
}

static const struct {
	unsigned cluster;
	const char *compat;
} configs[] = {
	{ 512, "0.10" }, { 512, "1.1" }, { 4096, "1.1" }, { 65536, "0.10" },
	{ 65536, "1.1" }, { 2u << 20, "0.10" }, { 2u << 20, "1.1" },
};

/* Plain images of each cluster size and version, written at random by qemu-io. */
static void cluster_sizes_and_versions(void)
{
	uint64_t size = (6u << 20) + 1536;

	for (size_t i = 0; i < sizeof(configs) / sizeof(*configs); i++) {
		char img[PATH_MAX];

		snprintf(img, sizeof(img), "%s/plain-%u-%s.qcow2", dir, configs[i].cluster,
			 configs[i].compat);
		CHECK(qt_sh("qemu-img create -f qcow2 -o cluster_size=%u,compat=%s '%s' %llu",
			    configs[i].cluster, configs[i].compat, img,
			    (unsigned long long)size) == 0);
		random_qemu_io(img, size, configs[i].cluster, 40);
		compare_with_qemu(img);
	}
}

/* Compressible, random and zero clusters in a raw file of SIZE bytes. */
static void make_mixed_raw(const char *path, uint64_t size)
{
	uint8_t *buf = calloc(1, size);

	for (uint64_t off = 0; off < size; off += 4096) {
		unsigned kind = (unsigned)(qt_rand(&seed) % 4);
		size_t n = size - off < 4096 ? size - off : 4096;

		if (kind == 0) {
			qt_fill(buf + off, n, &seed);
		} else if (kind < 3) {
			qt_fill(buf + off, n, &seed);
			for (size_t j = 0; j < n; j++)
				buf[off + j] &= 0x3;	/* four symbols: deflate shrinks it */
		}
	}
	CHECK(qt_write_file(path, buf, size) == 0);
	free(buf);
}

/* Images from qemu-img convert -c, then partly overwritten by qemu-io. */
static void compressed(void)
{
	static const unsigned clusters[] = { 512, 4096, 65536, 2u << 20 };
	uint64_t size = 5u << 20;
	char raw[PATH_MAX], img[PATH_MAX], out[512];

	snprintf(raw, sizeof(raw), "%s/mixed.raw", dir);
	make_mixed_raw(raw, size);
	for (size_t i = 0; i < sizeof(clusters) / sizeof(*clusters); i++) {
		snprintf(img, sizeof(img), "%s/compressed-%u.qcow2", dir, clusters[i]);
		CHECK(qt_sh("qemu-img convert -c -O qcow2 -o cluster_size=%u,compat=%s '%s' '%s'",
			    clusters[i], i % 2 ? "1.1" : "0.10", raw, img) == 0);
		/* Make sure there is something compressed to read. */
		qt_sh_out(out, sizeof(out), "qemu-img check '%s'", img);
		CHECK(strstr(out, "% compressed") && !strstr(out, " 0.00% compressed"));
		compare_with_qemu(img);
		random_qemu_io(img, size, clusters[i], 20);
		compare_with_qemu(img);
	}
}

/*
 * base.raw <- mid1 (v2, 4 KiB clusters) <- mid2 (v3, compressed) <- top
 * (512 B clusters, larger than the rest), named relatively, opened from
 * another directory.
 */
static void backing_chain(void)
{
	const char *sub = strrchr(dir, '/') + 1;
	char cwd[PATH_MAX], rel[PATH_MAX];
	struct block_backend *b;

	make_mixed_raw(IN_DIR("base.raw"), (5u << 20) + 512);
	CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 -o cluster_size=4096,compat=0.10 "
		    "-b base.raw -F raw mid1.qcow2 6M", dir) == 0);
	random_qemu_io(IN_DIR("mid1.qcow2"), 6u << 20, 4096, 30);
	CHECK(qt_sh("cd '%s' && qemu-img convert -c -O qcow2 -B mid1.qcow2 -F qcow2 mid1.qcow2 "
		    "mid2.qcow2 && qemu-img rebase -u -b mid1.qcow2 -F qcow2 mid2.qcow2", dir) == 0);
	CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 -o cluster_size=512 -b mid2.qcow2 "
		    "-F qcow2 top.qcow2 7M", dir) == 0);
	random_qemu_io(IN_DIR("mid2.qcow2"), 6u << 20, 65536, 20);
	random_qemu_io(IN_DIR("top.qcow2"), 7u << 20, 512, 30);
	CHECK(qt_sh("qemu-img convert -O raw '%s' '%s'", IN_DIR("top.qcow2"), IN_DIR("top.raw")) == 0);
	/* From the directory above, by a relative name: backing names resolve against the image's. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(chdir(dir) == 0 && chdir("..") == 0);
	snprintf(rel, sizeof(rel), "%s/top.qcow2", sub);
	b = qt_open(rel, true);
	CHECK(b != NULL);
	if (b) {
		CHECK(qt_equals_raw(b, IN_DIR("top.raw"), &seed));
		b->ops->close(b);
	}
	CHECK(chdir(cwd) == 0);
}

/* Without the backing format extension, the backing file's format is detected. */
static void backing_format_probed(void)
{
	char img[PATH_MAX];
	uint8_t hdr[512];
	int fd;

	snprintf(img, sizeof(img), "%s/probe-top.qcow2", dir);
	CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 probe-base.qcow2 3M && "
		    "qemu-io -c 'write -P 0x5a 1M 64k' probe-base.qcow2 && "
		    "qemu-img create -f qcow2 -b probe-base.qcow2 -F qcow2 probe-top.qcow2", dir) == 0);
	fd = open(img, O_RDWR);
	CHECK(fd >= 0 && pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr));
	/* Rename the extension (the first, after a 112-byte header) to an unknown type. */
	CHECK(hdr[112] == 0xe2 && hdr[113] == 0x79);
	hdr[112] = 0x12;
	CHECK(pwrite(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr));
	close(fd);
	compare_with_qemu(img);
}

/* Forty images deep (every fifth writing) read right; past BLOCK_CHAIN_MAX_DEPTH: refused. */
static void deep_chain(void)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .readonly = true };
	struct block_backend *b;
	char err[8192];

	CHECK(qt_sh("cd '%s' && qemu-img create -f qcow2 d0.qcow2 4M && for i in $(seq 1 66); do "
		    "qemu-img create -f qcow2 -o cluster_size=4096 -b d$((i - 1)).qcow2 -F qcow2 "
		    "d$i.qcow2 4M || exit 1; [ $((i %% 5)) = 0 ] || continue; "
		    "qemu-io -c \"write -P $i $((i * 40960)) 81920\" d$i.qcow2 || exit 1; done",
		    dir) == 0);
	compare_with_qemu(IN_DIR("d40.qcow2"));
	CHECK(block_open(IN_DIR("d66.qcow2"), &o, &b, err, sizeof(err)) == -1);
	CHECK(strstr(err, "backing chain deeper than 64 images") && !strchr(err, '\n'));
}

/* format = raw on a qcow2 file gives its bytes; format = qcow2 on a raw one is refused. */
static void explicit_format(void)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_RAW, .readonly = true };
	struct block_backend *b;
	char img[PATH_MAX], err[512];
	uint8_t buf[512];

	snprintf(img, sizeof(img), "%s/plain-512-1.1.qcow2", dir);
	CHECK(block_open(img, &o, &b, err, sizeof(err)) == 0);
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, 512 }, 1, 0) == 0);
	CHECK(buf[0] == 'Q' && buf[1] == 'F' && buf[2] == 'I' && buf[3] == 0xfb);
	b->ops->close(b);
	snprintf(img, sizeof(img), "%s/mixed.raw", dir);
	o.format = BLOCK_FORMAT_QCOW2;
	CHECK(block_open(img, &o, &b, err, sizeof(err)) == -1);
	CHECK(strstr(err, "mixed.raw: not a qcow2 image (bad magic") != NULL);
}

/* Reads past the end of the disk are -EINVAL; many small iovecs work. */
static void ranges_and_iovecs(void)
{
	char img[PATH_MAX];
	struct block_backend *b;
	uint8_t buf[4096], ref[4096];
	struct iovec iov[512];

	snprintf(img, sizeof(img), "%s/plain-65536-1.1.qcow2", dir);
	b = qt_open(img, true);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, 512 }, 1, b->size) == -EINVAL);
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, 1024 }, 1, b->size - 512) == -EINVAL);
	CHECK(b->ops->preadv(b, &(struct iovec){ buf, 512 }, 1, UINT64_MAX - 100) == -EINVAL);
	CHECK(b->ops->pwritev(b, &(struct iovec){ buf, 512 }, 1, 0) == -EROFS);
	/* 512 iovecs of 8 bytes, across a cluster boundary. */
	for (int i = 0; i < 512; i++)
		iov[i] = (struct iovec){ buf + 8 * i, 8 };
	CHECK(b->ops->preadv(b, iov, 512, 65536 - 2048) == 0);
	CHECK(b->ops->preadv(b, &(struct iovec){ ref, 4096 }, 1, 65536 - 2048) == 0);
	CHECK(!memcmp(buf, ref, sizeof(buf)));
	b->ops->close(b);
}

/*
 * Clusters back to back in the file are read with one preadv: a sequentially
 * written image in one, clusters written in reverse in one each, a hole or a
 * zero cluster splitting a run in two; the bytes always qemu-img's.
 */
static void contiguous_runs(void)
{
	static const struct {
		const char *name, *writes;
		uint64_t off, len, reads;
	} cases[] = {
		{ "seq", "-c 'write -P 0x5a 0 2M'", 512 * 1024 + 4096, 1024 * 1024, 1 },
		{ "rev", "-c 'write -P 1 192k 64k' -c 'write -P 2 128k 64k' -c 'write -P 3 64k 64k' "
			 "-c 'write -P 4 0 64k'", 0, 256 * 1024, 4 },
		{ "hole", "-c 'write -P 5 0 1M' -c 'discard 256k 64k'", 0, 1024 * 1024, 2 },
		{ "zero", "-c 'write -P 6 0 1M' -c 'write -z 512k 64k'", 4096, 1000 * 1024, 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char img[PATH_MAX];
		uint8_t *buf = malloc(cases[i].len), *ref = malloc(cases[i].len);
		struct block_backend *b;
		int fd;

		snprintf(img, sizeof(img), "%s/run-%s.qcow2", dir, cases[i].name);
		CHECK(qt_sh("qemu-img create -q -f qcow2 -o cluster_size=65536 '%s' 4M", img) == 0);
		CHECK(qt_sh("qemu-io -f qcow2 %s '%s' >/dev/null", cases[i].writes, img) == 0);
		CHECK(qt_sh("qemu-img convert -O raw '%s' '%s.raw'", img, img) == 0);
		b = qt_open(img, true);
		CHECK(b != NULL && buf && ref);
		if (!b || !buf || !ref)
			return;
		CHECK(b->ops->preadv(b, &(struct iovec){ buf, cases[i].len }, 1, cases[i].off) == 0);
		CHECK(((struct qcow2_image *)b)->data_reads == cases[i].reads);
		snprintf(img + strlen(img), sizeof(img) - strlen(img), ".raw");
		fd = open(img, O_RDONLY);
		CHECK(fd >= 0 && pread(fd, ref, cases[i].len, (off_t)cases[i].off) == (ssize_t)cases[i].len);
		CHECK(!memcmp(buf, ref, cases[i].len));
		close(fd);
		b->ops->close(b);
		free(buf);
		free(ref);
	}
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(cluster_sizes_and_versions);
	RUN(compressed);
	RUN(backing_chain);
	RUN(backing_format_probed);
	RUN(deep_chain);
	RUN(explicit_format);
	RUN(ranges_and_iovecs);
	RUN(contiguous_runs);
	qt_done(dir);
	return CHECK_SUMMARY();
}
