/* Inside the qcow2 backend: the format's constants, the image state, what its files share. */
#ifndef CAPSULE_QCOW2_H
#define CAPSULE_QCOW2_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <zlib.h>

#include "backend/block.h"
#include "backend/block_impl.h"

/* The format (docs/interop/qcow2.txt in QEMU's sources). */
#define QCOW2_MAGIC 0x514649fbu
#define QCOW2_V2_HEADER_LEN 72
#define QCOW2_V3_HEADER_LEN 104
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21		/* 2 MiB, as QEMU */
#define QCOW2_MAX_REFCOUNT_ORDER 6
#define QCOW2_MAX_BACKING_NAME 1023
#define QCOW2_MAX_L1_BYTES (32ull << 20)	/* QEMU's limits, so that QEMU can open what we write */
#define QCOW2_MAX_REFTABLE_BYTES (8ull << 20)
#define QCOW2_MAX_VIRTUAL_SIZE (1ull << 56)	/* the format's limit of populated clusters */
#define QCOW2_MAX_HOST_OFFSET (1ull << 56)

#define QCOW2_EXT_END 0x00000000u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_FEATURE_NAMES 0x6803f857u

#define QCOW2_INCOMPAT_DIRTY 0
#define QCOW2_INCOMPAT_CORRUPT 1
#define QCOW2_INCOMPAT_DATA_FILE 2
#define QCOW2_INCOMPAT_COMPRESSION 3
#define QCOW2_INCOMPAT_EXTENDED_L2 4

/* Header fields we rewrite in place. */
#define QCOW2_HDR_REFTABLE_OFFSET 48		/* with refcount_table_clusters right after: 12 bytes */
#define QCOW2_HDR_AUTOCLEAR 88

/* L1, L2 and refcount table entries. */
#define QCOW2_OFLAG_COPIED (1ull << 63)		/* refcount exactly 1: may be written in place */
#define QCOW2_OFLAG_COMPRESSED (1ull << 62)
#define QCOW2_OFLAG_ZERO 1ull			/* v3: the cluster reads as zeroes */
#define QCOW2_OFFSET_MASK 0x00fffffffffffe00ull	/* bits 9-55 */
#define QCOW2_L1_RESERVED 0x7f000000000001ffull	/* bits 0-8 and 56-62 */
#define QCOW2_L2_RESERVED 0x3f000000000001feull	/* bits 1-8 and 56-61 */
#define QCOW2_REFTABLE_RESERVED 0x1ffull

/* The header as parsed, in host byte order. */
struct qcow2_header {
	uint32_t version;
	uint64_t backing_offset;
	uint32_t backing_len;
	uint32_t cluster_bits;
	uint64_t size;
	uint32_t crypt_method;
	uint32_t l1_size;
	uint64_t l1_offset;
	uint64_t reftable_offset;
	uint32_t reftable_clusters;
	uint32_t nb_snapshots;
	uint64_t snapshots_offset;
	uint64_t incompatible, compatible, autoclear;
	uint32_t refcount_order;
	uint32_t header_length;
	char backing_format[16];		/* from its header extension; "" when absent */
	char backing[QCOW2_MAX_BACKING_NAME + 1]; /* "" when none */
};

/* A few clusters of metadata (L2 tables or refcount blocks) kept in memory, written back. */
struct qcow2_cache_entry {
	uint64_t offset;	/* in the image file; 0: the slot is empty */
	uint64_t last_use;
	bool dirty;
	uint8_t *data;		/* one cluster, in the file's byte order */
};

struct qcow2_image;

struct qcow2_cache {
	struct qcow2_cache_entry *entries;
	unsigned n;
	uint64_t clock;
	/* Run before a dirty entry is written: what it points to must be on disk first. */
	int (*before_write)(struct qcow2_image *img);
};

/* A range of the file to drop one reference to, once no on-disk table points to it. */
struct qcow2_free {
	uint64_t offset, len;
	bool meta;		/* a refcount table we replaced: leaves the metadata set then */
};

/*
 * The image's metadata clusters (header, L1 table, refcount table and
 * blocks, L2 tables), which guest data must never overwrite: a hash set of
 * cluster indices, open addressing with linear probing. Its size follows the
 * image's geometry (one entry per table cluster), never the guest's doings.
 */
struct qcow2_meta {
	uint64_t *slots;	/* cluster index + 1; 0: empty */
	uint64_t mask;		/* slot count - 1 (a power of two); no slots: 0 */
	uint64_t count;
};

/* What a guest cluster maps to. */
enum qcow2_kind { QCOW2_UNALLOCATED, QCOW2_ZERO, QCOW2_NORMAL, QCOW2_COMPRESSED };

struct qcow2_map {
	enum qcow2_kind kind;
	uint64_t entry;		/* the L2 entry */
	uint64_t host;		/* the host offset: a cluster, or where the compressed bytes start */
	uint64_t len;		/* compressed: how many bytes from HOST may hold them */
};

/*
 * One open qcow2 file. LOCK is held throughout every operation, including
 * the data transfers: simple and correct. Finer locking would hold it only
 * for the L2 lookup/allocation, and let in-place data transfers (the common
 * case once a disk is populated) run unlocked, ordered against a concurrent
 * allocation of the same cluster by a per-cluster in-flight list.
 */
struct qcow2_image {
	struct block_backend base;	/* first: what block users see */
	pthread_mutex_t lock;
	int fd;
	bool throwaway;			/* a snapshot overlay: skip fdatasync */
	bool unsynced;			/* written to since the last fdatasync */
	bool broken;			/* a metadata update failed halfway: write nothing more */
	struct qcow2_header hdr;
	unsigned cluster_bits;
	uint64_t cluster_size;
	unsigned l2_bits;		/* log2 of entries per L2 table */
	unsigned rb_bits;		/* log2 of entries per refcount block */
	uint64_t file_size;		/* at open */
	uint64_t alloc_end;		/* clusters from here on are unused: new ones come from here */
	uint64_t free_hint;		/* a cluster index: no cluster below it is free */
	uint64_t free_count;		/* free clusters from FREE_HINT to ALLOC_END, once counted */
	bool free_counted;		/* a scan has reached ALLOC_END, so FREE_COUNT is known */
	bool free_zeroed;		/* every free cluster below ALLOC_END reads as zeroes */

	uint64_t *l1;			/* host byte order */
	uint64_t l1_dirty_lo, l1_dirty_hi; /* entries [lo, hi) differ from the file */

	uint64_t *reftable;		/* host byte order */
	uint64_t reftable_entries;
	uint64_t reftable_offset;
	uint32_t reftable_clusters;
	uint64_t rt_dirty_lo, rt_dirty_hi;
	bool reftable_moved;		/* a new table not yet written nor named by the header */
	unsigned refcount_depth;	/* guards the recursion of refcount block creation */

	struct qcow2_cache l2_cache, rb_cache;
	struct qcow2_meta meta;		/* writable images only: what guest writes must not reach */
	struct qcow2_free *frees;	/* bounded: applied once they reach QCOW2_FREES_MAX_* */
	size_t nfrees, frees_cap;
	uint64_t frees_bytes;

	struct block_backend *backing;	/* NULL: unallocated clusters read as zeroes */
	uint8_t *cow_buf;		/* one cluster for copy-on-write; allocated on first use */
	uint8_t *zero_buf;		/* one cluster of zeroes; allocated on first use */
	uint8_t *zbuf, *dbuf;		/* compressed input, inflated cluster; first use */
	uint64_t dbuf_entry;		/* the L2 entry DBUF holds (0: none) */
	z_stream zs;
	bool zs_ready;
	uint64_t data_reads;		/* preadv calls for guest data (tests count them) */
};

/* Big-endian fields. */
static inline uint16_t qcow2_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t qcow2_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t qcow2_be64(const uint8_t *p)
{
	return (uint64_t)qcow2_be32(p) << 32 | qcow2_be32(p + 4);
}

static inline void qcow2_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void qcow2_put_be32(uint8_t *p, uint32_t v)
{
	qcow2_put_be16(p, (uint16_t)(v >> 16));
	qcow2_put_be16(p + 2, (uint16_t)v);
}

static inline void qcow2_put_be64(uint8_t *p, uint64_t v)
{
	qcow2_put_be32(p, (uint32_t)(v >> 32));
	qcow2_put_be32(p + 4, (uint32_t)v);
}

/* Widen the range [*LO, *HI) of table entries to write back (empty when equal) to hold I. */
static inline void qcow2_dirty_add(uint64_t *lo, uint64_t *hi, uint64_t i)
{
	if (*lo == *hi) {
		*lo = i;
		*hi = i + 1;
		return;
	}
	if (i < *lo)
		*lo = i;
	if (i + 1 > *hi)
		*hi = i + 1;
}

/* qcow2_header.c */

/*
 * Read, parse and check the header of the image PATH on FD (FILE_SIZE bytes),
 * its extensions and its backing file name. 0 or -errno with ERR set.
 */
int qcow2_header_read(int fd, const char *path, uint64_t file_size, struct qcow2_header *h,
		      char *err, size_t errlen);

/* qcow2_cache.c */

/* Set up an empty cache of N clusters. 0 or -ENOMEM. */
int qcow2_cache_init(struct qcow2_cache *c, unsigned n, int (*before_write)(struct qcow2_image *));

/* Free the cache's memory (dirty entries are dropped: flush first). */
void qcow2_cache_destroy(struct qcow2_cache *c);

/*
 * The cluster at OFFSET, read on a miss after writing back the least
 * recently used dirty entry. FRESH: a newly allocated cluster, not read but
 * zeroed and dirty. The entry stays valid until the next call on this cache.
 */
int qcow2_cache_get(struct qcow2_image *img, struct qcow2_cache *c, uint64_t offset, bool fresh,
		    struct qcow2_cache_entry **out);

/* Write back every dirty entry. 0 or -errno. */
int qcow2_cache_flush(struct qcow2_image *img, struct qcow2_cache *c);

/* qcow2_meta.c */

/*
 * Fill the metadata set of a writable image from its header, L1 and
 * refcount tables (loaded). Overlapping tables are refused: whatever is
 * written to one would change the other. 0 or -errno with ERR set.
 */
int qcow2_meta_load(struct qcow2_image *img, char *err, size_t errlen);

/* Free the set's memory. */
void qcow2_meta_destroy(struct qcow2_image *img);

/* Add the cluster at OFFSET to the set. 0, -EEXIST when it is there already, or -ENOMEM. */
int qcow2_meta_add(struct qcow2_image *img, uint64_t offset);

/* Take the cluster at OFFSET out of the set (nothing when it is not in it). */
void qcow2_meta_remove(struct qcow2_image *img, uint64_t offset);

/* Whether the cluster holding byte OFFSET is metadata (always false for a read-only image). */
bool qcow2_meta_has(const struct qcow2_image *img, uint64_t offset);

/* qcow2_refcount.c */

/* The refcount of the cluster at OFFSET. 0 or -EIO. */
int qcow2_refcount_get(struct qcow2_image *img, uint64_t offset, uint64_t *out);

/*
 * Add DELTA (+1 or -1) to the refcount of the cluster at OFFSET, creating its
 * refcount block (and growing the refcount table) when needed. 0 or -errno.
 */
int qcow2_refcount_add(struct qcow2_image *img, uint64_t offset, int delta);

/* Take N clusters off the end of the file (ALLOC_END), before any refcount is set. 0 or -ENOSPC. */
int qcow2_take_clusters(struct qcow2_image *img, uint64_t n, uint64_t *offset);

/*
 * Find the first cluster from index *CI on, below ALLOC_END, that is counted
 * 0 and is not metadata: *CI is its index when *FOUND. 0 or -EIO.
 */
int qcow2_refcount_find_free(struct qcow2_image *img, uint64_t *ci, bool *found);

/* qcow2_alloc.c */

/*
 * Frees are applied once this many bytes or entries are queued: how far the
 * file may grow past its live data. (The crash tests build with less.)
 */
#ifndef QCOW2_FREES_MAX_BYTES
#define QCOW2_FREES_MAX_BYTES (4u << 20)
#endif
#ifndef QCOW2_FREES_MAX_ENTRIES
#define QCOW2_FREES_MAX_ENTRIES 1024
#endif

/*
 * Take an unused cluster, its refcount set to 1: the first free one from
 * FREE_HINT on, else one at the end of the file. *ZEROED (unless NULL) says
 * whether it reads as zeroes (new, or freed and zeroed by us) or may hold
 * old data (free when the image was opened, say). 0 or -errno.
 */
int qcow2_alloc_cluster(struct qcow2_image *img, uint64_t *offset, bool *zeroed);

/* Queue the free of the refcount table at [OFFSET, OFFSET + LEN), which a new one replaces. */
int qcow2_free_table_later(struct qcow2_image *img, uint64_t offset, uint64_t len);

/*
 * Drop a reference to every cluster that [OFFSET, OFFSET + LEN) touches,
 * once no table on disk points to them. A metadata cluster, or one counted
 * 0 (a corrupt image), is left alone: a guest mapping may not free it.
 */
int qcow2_free_later(struct qcow2_image *img, uint64_t offset, uint64_t len);

/*
 * Drop the references qcow2_free_later() queued: only once nothing on disk
 * points to them. Metadata clusters are skipped, but for refcount tables
 * replaced since, which leave the metadata set now. A cluster whose count
 * drops to 0 is punched out of the file (else zeroed) and is free for reuse.
 */
int qcow2_apply_frees(struct qcow2_image *img);

/* qcow2_flush.c */

/* fdatasync when anything was written since the last one (never for a throwaway overlay). */
int qcow2_barrier(struct qcow2_image *img);

/* Put refcount blocks, the refcount table and data on disk: what L2 tables may point to. */
int qcow2_flush_refcounts(struct qcow2_image *img);

/* Put every metadata change on disk in dependency order, then apply queued frees. */
int qcow2_flush_all(struct qcow2_image *img);

/* qcow2_flush_all() when the queue of frees is full (QCOW2_FREES_MAX_*), so space is reused. */
int qcow2_flush_if_frees_full(struct qcow2_image *img);

/* qcow2_map.c */

/* Load and check the L1 and refcount tables at open. 0 or -errno with ERR set. */
int qcow2_tables_load(struct qcow2_image *img, char *err, size_t errlen);

/* The L2 entry of guest cluster VC (0 when its L2 table does not exist). 0 or -EIO. */
int qcow2_l2_get(struct qcow2_image *img, uint64_t vc, uint64_t *entry);

/* Set the L2 entry of guest cluster VC, creating its L2 table if needed. 0 or -errno. */
int qcow2_l2_set(struct qcow2_image *img, uint64_t vc, uint64_t entry);

/* What L2 entry ENTRY maps to; -EIO when it is malformed or points outside the file. */
int qcow2_decode(const struct qcow2_image *img, uint64_t entry, struct qcow2_map *m);

/* What guest cluster VC maps to: qcow2_l2_get() then qcow2_decode(). */
int qcow2_lookup(struct qcow2_image *img, uint64_t vc, struct qcow2_map *m);

/* qcow2_read.c */

/*
 * Read [OFF, OFF + LEN) of the guest, within one guest cluster mapped by M
 * (NORMAL: or a run of clusters that follow it in the file too), into IOV.
 * 0 or -errno.
 */
int qcow2_read_mapped(struct qcow2_image *img, const struct qcow2_map *m, uint64_t off,
		      uint64_t len, const struct iovec *iov, int iovcnt);

/*
 * Call FN for each piece of [OFF, OFF + LEN), with the matching part of IOV
 * (NULL, 0 when IOV is NULL), holding the image lock; stop at the first
 * error. -EINVAL for a range beyond the disk. A piece is what lies within
 * one guest cluster, or, with SPAN, as much as SPAN says: it gets the
 * piece's start, its bytes within the cluster (N) and all that is left
 * (REST), and returns the piece's length (N..REST) or -errno.
 */
int qcow2_for_each_cluster(struct qcow2_image *img, const struct iovec *iov, int iovcnt,
			   uint64_t off, uint64_t len,
			   int64_t (*span)(struct qcow2_image *img, uint64_t off, uint64_t n,
					   uint64_t rest, void *opaque),
			   int (*fn)(struct qcow2_image *img, uint64_t off, uint64_t len,
				     const struct iovec *iov, int iovcnt, void *opaque),
			   void *opaque);

/* The read op (block.h). */
int qcow2_preadv(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t offset);

/* qcow2_write.c */

/* The write, discard and write-zeroes ops (block.h). */
int qcow2_pwritev(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t offset);
int qcow2_discard(struct block_backend *b, uint64_t offset, uint64_t len);
int qcow2_write_zeroes(struct block_backend *b, uint64_t offset, uint64_t len, bool may_unmap);

#endif
