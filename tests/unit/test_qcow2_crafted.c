/*
 * Unit tests of crafted qcow2 images whose L2 entries point guest data at
 * the image's own metadata, share a cluster or miscount one: guest writes
 * never reach metadata, shared clusters are copied before a write, and the
 * image ends as qemu-img check wants it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "check.h"

#define CS 4096u
#define PER_L2 (CS / 8)
#define OFFSET_MASK 0x00fffffffffffe00ull
#define COPIED (1ull << 63)
#define COMPRESSED (1ull << 62)

static char *dir;

/* Where the tables of a test image are. */
struct layout {
	uint64_t l1, reftable, refblock, l2[2];
};

static struct layout layout_of(int fd)
{
	struct layout l;

	l.l1 = qt_get_be(fd, 40, 8);
	l.reftable = qt_get_be(fd, 48, 8);
	l.refblock = qt_get_be(fd, l.reftable, 8);
	for (int i = 0; i < 2; i++)
		l.l2[i] = qt_get_be(fd, l.l1 + 8 * i, 8) & OFFSET_MASK;
	return l;
}

/* Where the L2 entry of guest cluster VC is in the file. */
static uint64_t entry_at(int fd, uint64_t vc)
{
	return layout_of(fd).l2[vc / PER_L2] + 8 * (vc % PER_L2);
}

static uint64_t host_of(int fd, uint64_t vc)
{
	return qt_get_be(fd, entry_at(fd, vc), 8) & OFFSET_MASK;
}

/* Set the 16-bit refcount of the cluster at HOST (the first refcount block covers the file). */
static void set_refcount(int fd, uint64_t host, uint16_t v)
{
	CHECK(qt_put_be(fd, layout_of(fd).refblock + 2 * (host / CS), 2, v) == 0);
}

/*
 * A 4 MiB image of 4 KiB clusters in PATH (DIR/NAME) with both its L2 tables
 * in use: guest clusters 0-15 hold 0x31, 512-527 hold 0x32. Open on *FD.
 */
static void make_image(const char *name, char *path, int *fd)
{
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	CHECK(qt_sh("qemu-img create -f qcow2 -o cluster_size=4096 '%s' 4M && qemu-io -c 'write "
		    "-P 0x31 0 64k' -c 'write -P 0x32 2M 64k' '%s'", path, path) == 0);
	*fd = open(path, O_RDWR);
	CHECK(*fd >= 0);
}

/* Whether the LEN guest bytes at OFF of B all hold BYTE. */
static bool reads_byte(struct block_backend *b, uint64_t off, uint64_t len, uint8_t byte)
{
	uint8_t *buf = malloc(len);
	bool ok = b->ops->preadv(b, &(struct iovec){ buf, len }, 1, off) == 0;

	for (uint64_t i = 0; ok && i < len; i++)
		ok = buf[i] == byte;
	free(buf);
	return ok;
}

static int write_byte(struct block_backend *b, uint64_t off, uint64_t len, uint8_t byte)
{
	uint8_t *buf = malloc(len);
	int r;

	memset(buf, byte, len);
	r = b->ops->pwritev(b, &(struct iovec){ buf, len }, 1, off);
	free(buf);
	return r;
}

/* Guest cluster 1 mapped onto metadata cluster number TARGET of the image (COPIED or not). */
static void one_metadata_entry(int target, bool copied)
{
	char img[PATH_MAX];
	uint8_t before[CS], got[CS];
	struct block_backend *b;
	struct layout l;
	uint64_t meta;
	int fd;

	make_image("meta.qcow2", img, &fd);
	l = layout_of(fd);
	meta = (uint64_t[]){ l.l2[1], l.refblock, l.l1, l.reftable }[target];
	set_refcount(fd, host_of(fd, 1), 0);	/* cluster 1's data: unused from now on */
	CHECK(qt_put_be(fd, entry_at(fd, 1), 8, meta | (copied ? COPIED : 0)) == 0);
	CHECK(pread(fd, before, CS, (off_t)meta) == CS);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	/* Reading shows the table (the image's own bytes); writing to it fails, whole or in part. */
	CHECK(b->ops->preadv(b, &(struct iovec){ got, CS }, 1, CS) == 0 && !memcmp(got, before, CS));
	CHECK(write_byte(b, CS, CS, 0x66) == -EIO);
	CHECK(write_byte(b, CS + 512, 512, 0x66) == -EIO);
	/* The rest still works, new entries in that L2 table and new refcounts included. */
	CHECK(write_byte(b, 600 * CS, CS, 0x44) == 0);
	CHECK(write_byte(b, 100 * CS, 512, 0x45) == 0);
	CHECK(b->ops->flush(b) == 0);
	if (target >= 2)
		CHECK(pread(fd, got, CS, (off_t)meta) == CS && !memcmp(got, before, CS));
	/* Discarding the mapping drops it, never the table's own reference. */
	CHECK(b->ops->discard(b, CS, CS) == 0);
	CHECK(reads_byte(b, CS, CS, 0));
	b->ops->close(b);
	close(fd);
	CHECK(qt_check(img, false) == 0);
	b = qt_open(img, true);
	CHECK(b && reads_byte(b, 0, CS, 0x31) && reads_byte(b, CS, CS, 0) &&
	      reads_byte(b, 2 * CS, 14 * CS, 0x31) && reads_byte(b, 100 * CS, 512, 0x45) &&
	      reads_byte(b, 100 * CS + 512, CS - 512, 0) && reads_byte(b, 512 * CS, 16 * CS, 0x32) &&
	      reads_byte(b, 600 * CS, CS, 0x44));
	if (b)
		b->ops->close(b);
}

/* L2 entries at an L2 table nobody has read yet, the refcount block, the L1 or refcount table. */
static void entry_at_metadata(void)
{
	for (int target = 0; target < 4; target++) {
		one_metadata_entry(target, true);
		one_metadata_entry(target, false);
	}
}

/* Entries at the header: offset 0 marked COPIED, compressed bytes inside it. Refused, untouched. */
static void entry_at_header(void)
{
	uint8_t before[CS], after[CS];
	char img[PATH_MAX];
	struct block_backend *b;
	int fd;

	make_image("header.qcow2", img, &fd);
	CHECK(qt_put_be(fd, entry_at(fd, 1), 8, COPIED) == 0);
	CHECK(qt_put_be(fd, entry_at(fd, 2), 8, COMPRESSED | 16) == 0);
	CHECK(pread(fd, before, CS, 0) == CS);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	for (uint64_t vc = 1; vc <= 2; vc++) {
		CHECK(b->ops->preadv(b, &(struct iovec){ after, CS }, 1, vc * CS) == -EIO);
		CHECK(write_byte(b, vc * CS, CS, 0x66) == -EIO);
		CHECK(write_byte(b, vc * CS, 512, 0x66) == -EIO);
		CHECK(b->ops->discard(b, vc * CS, CS) == -EIO);
	}
	CHECK(write_byte(b, 300 * CS, CS, 0x46) == 0);
	b->ops->close(b);
	CHECK(pread(fd, after, CS, 0) == CS && !memcmp(before, after, CS));
	close(fd);
}

/*
 * Guest clusters 0 and 1 share one cluster, counted twice, neither entry
 * COPIED (a valid image); guest cluster 2's entry lacks COPIED though counted
 * once. Each write copies first, and the shared cluster stays intact while
 * the other entry still uses it.
 */
static void uncopied_entries_cow(void)
{
	uint8_t got[CS];
	char img[PATH_MAX];
	struct block_backend *b;
	uint64_t shared, lone;
	int fd;

	make_image("shared.qcow2", img, &fd);
	shared = host_of(fd, 0);
	lone = host_of(fd, 2);
	set_refcount(fd, host_of(fd, 1), 0);
	set_refcount(fd, shared, 2);
	CHECK(qt_put_be(fd, entry_at(fd, 0), 8, shared) == 0);
	CHECK(qt_put_be(fd, entry_at(fd, 1), 8, shared) == 0);
	CHECK(qt_put_be(fd, entry_at(fd, 2), 8, lone) == 0);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(write_byte(b, 512, 512, 0xaa) == 0);
	CHECK(reads_byte(b, 0, 512, 0x31) && reads_byte(b, 512, 512, 0xaa) &&
	      reads_byte(b, 1024, CS - 1024, 0x31) && reads_byte(b, CS, CS, 0x31));
	CHECK(write_byte(b, 2 * CS + 1024, 512, 0xbb) == 0);
	CHECK(reads_byte(b, 2 * CS + 1024, 512, 0xbb) && reads_byte(b, 2 * CS, 1024, 0x31));
	/* The old clusters are as they were: only the new ones took the writes. */
	CHECK(b->ops->flush(b) == 0);
	CHECK(host_of(fd, 0) != shared && host_of(fd, 2) != lone && host_of(fd, 1) == shared);
	CHECK(pread(fd, got, CS, (off_t)shared) == CS);
	for (unsigned i = 0; i < CS; i++)
		CHECK(got[i] == 0x31);
	/* Now counted once, but still without COPIED: the other sharer copies too. */
	CHECK(write_byte(b, CS, 512, 0xcc) == 0);
	CHECK(reads_byte(b, CS, 512, 0xcc) && reads_byte(b, CS + 512, CS - 512, 0x31));
	b->ops->close(b);
	CHECK(host_of(fd, 1) != shared);
	close(fd);
	CHECK(qt_check(img, false) == 0);
}

/* A data cluster mapped but counted 0: its first write copies it; allocations go on correctly. */
static void data_counted_zero(void)
{
	char img[PATH_MAX];
	struct block_backend *b;
	int fd;

	make_image("zero.qcow2", img, &fd);
	set_refcount(fd, host_of(fd, 3), 0);
	close(fd);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(reads_byte(b, 3 * CS, CS, 0x31));
	CHECK(write_byte(b, 3 * CS + 1024, 512, 0x77) == 0);
	for (unsigned i = 0; i < 64; i++)
		CHECK(write_byte(b, (200 + i) * CS, CS, (uint8_t)(0x50 + i)) == 0);
	CHECK(reads_byte(b, 0, 3 * CS + 1024, 0x31) && reads_byte(b, 3 * CS + 1024, 512, 0x77) &&
	      reads_byte(b, 3 * CS + 1536, 13 * CS - 1536, 0x31));
	for (unsigned i = 0; i < 64; i++)
		CHECK(reads_byte(b, (200 + i) * CS, CS, (uint8_t)(0x50 + i)));
	b->ops->close(b);
	CHECK(qt_check(img, false) == 0);
}

/*
 * Metadata counted 0: space is freed below it, then allocated again; no
 * allocation may land on a table. Once the counts are put back, the image is clean.
 */
static void metadata_counted_zero(void)
{
	char img[PATH_MAX];
	struct block_backend *b;
	struct layout l;
	int fd;

	make_image("meta0.qcow2", img, &fd);
	l = layout_of(fd);
	const uint64_t meta[] = { 0, l.l2[0], l.l2[1], l.l1, l.reftable, l.refblock };

	for (unsigned i = 0; i < 6; i++)
		set_refcount(fd, meta[i], 0);
	b = qt_open(img, false);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(b->ops->discard(b, 0, 64 << 10) == 0);
	CHECK(b->ops->flush(b) == 0);
	for (unsigned i = 0; i < 48; i++)
		CHECK(write_byte(b, (600 + i * 8) * CS, CS, (uint8_t)(0x60 + i)) == 0);
	CHECK(b->ops->flush(b) == 0);
	for (unsigned i = 0; i < 48; i++) {
		CHECK(reads_byte(b, (600 + i * 8) * CS, CS, (uint8_t)(0x60 + i)));
		for (unsigned j = 0; j < 6; j++)
			CHECK(host_of(fd, 600 + i * 8) != meta[j]);
	}
	CHECK(reads_byte(b, 0, 64 << 10, 0) && reads_byte(b, 2 << 20, 64 << 10, 0x32));
	b->ops->close(b);
	for (unsigned i = 0; i < 6; i++)
		set_refcount(fd, meta[i], 1);
	close(fd);
	CHECK(qt_check(img, false) == 0);
}

/* Tables sharing a cluster: writable opens refuse the image (read-only ones need not). */
static void overlapping_tables(void)
{
	struct block_open_options rw = { .format = BLOCK_FORMAT_AUTO };
	char img[PATH_MAX], err[512];
	struct block_backend *b;
	struct layout l;
	int fd;

	for (int kind = 0; kind < 3; kind++) {
		make_image("overlap.qcow2", img, &fd);
		l = layout_of(fd);
		if (kind == 0)	/* two L1 entries, one L2 table */
			CHECK(qt_put_be(fd, l.l1 + 8, 8, l.l2[0] | COPIED) == 0);
		else if (kind == 1)	/* a refcount block that is an L2 table */
			CHECK(qt_put_be(fd, l.reftable + 8, 8, l.l2[0]) == 0);
		else		/* an L2 table that is the refcount block */
			CHECK(qt_put_be(fd, l.l1 + 8, 8, l.refblock | COPIED) == 0);
		close(fd);
		CHECK(block_open(img, &rw, &b, err, sizeof(err)) == -1);
		CHECK(strstr(err, "overlaps other metadata") != NULL);
		b = qt_open(img, true);
		CHECK(b != NULL);
		if (b)
			b->ops->close(b);
	}
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(entry_at_metadata);
	RUN(entry_at_header);
	RUN(uncopied_entries_cow);
	RUN(data_counted_zero);
	RUN(metadata_counted_zero);
	RUN(overlapping_tables);
	qt_done(dir);
	return CHECK_SUMMARY();
}
