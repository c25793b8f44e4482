/*
 * Writing qcow2 metadata back in an order that keeps the file consistent
 * whenever it stops. The rule: whatever a table entry points to reaches the
 * disk before the entry does, with an fdatasync between the two; a cluster
 * loses a reference only after no table on disk points to it any more. So
 * an interrupted image may have clusters counted but unused (leaks), never a
 * cluster used but not counted, nor a table pointing at garbage. The levels:
 *
 *   data clusters, refcount blocks, a moved refcount table   (pointed to)
 *   refcount table entries, or the header naming a moved table
 *   L2 tables
 *   L1 entries                                               (pointing)
 *   then, queued frees: refcount decrements
 *
 * A process that dies between two writes leaves exactly the writes before;
 * the fdatasyncs make the same hold for a host that loses power. Frees wait
 * for a guest FLUSH or for the queue to fill (QCOW2_FREES_MAX_*), whichever
 * comes first; only then may the allocator hand their clusters out again.
 */
#include <errno.h>
#include <unistd.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"

/* Table entries converted per write: a 4 KiB buffer on the stack. */
#define TABLE_CHUNK 512

int qcow2_barrier(struct qcow2_image *img)
{
	if (!img->unsynced)
		return 0;
	if (!img->throwaway && fdatasync(img->fd) < 0)
		return -errno;
	img->unsynced = false;
	return 0;
}

/* Write entries [LO, HI) of the in-memory TABLE to the table at OFFSET in the file. */
static int write_table(struct qcow2_image *img, const uint64_t *table, uint64_t lo, uint64_t hi,
		       uint64_t offset)
{
	uint8_t buf[TABLE_CHUNK * 8];

	while (lo < hi) {
		uint64_t n = hi - lo < TABLE_CHUNK ? hi - lo : TABLE_CHUNK;
		int r;

		for (uint64_t i = 0; i < n; i++)
			qcow2_put_be64(buf + 8 * i, table[lo + i]);
		r = block_fd_pwrite(img->fd, buf, (size_t)n * 8, offset + lo * 8);
		if (r < 0)
			return r;
		img->unsynced = true;
		lo += n;
	}
	return 0;
}

/* Point the header at the new refcount table: one 12-byte write within one sector. */
static int write_reftable_header(struct qcow2_image *img)
{
	uint8_t buf[12];
	int r;

	qcow2_put_be64(buf, img->reftable_offset);
	qcow2_put_be32(buf + 8, img->reftable_clusters);
	r = block_fd_pwrite(img->fd, buf, sizeof(buf), QCOW2_HDR_REFTABLE_OFFSET);
	if (r == 0)
		img->unsynced = true;
	return r;
}

int qcow2_flush_refcounts(struct qcow2_image *img)
{
	bool moved = img->reftable_moved;
	bool dirty = img->rt_dirty_lo != img->rt_dirty_hi;
	int r;

	if (img->broken)
		return -EIO;
	r = qcow2_cache_flush(img, &img->rb_cache);
	if (!r && moved)
		r = write_table(img, img->reftable, 0, img->reftable_entries, img->reftable_offset);
	if (!r && (moved || dirty)) {
		r = qcow2_barrier(img);
		if (!r)
			r = moved ? write_reftable_header(img)
				  : write_table(img, img->reftable, img->rt_dirty_lo,
						img->rt_dirty_hi, img->reftable_offset);
		if (!r) {
			img->reftable_moved = false;
			img->rt_dirty_lo = img->rt_dirty_hi = 0;
		}
	}
	/* Data too: an L2 entry must not reach the disk before the cluster it maps. */
	return r ? r : qcow2_barrier(img);
}

int qcow2_flush_all(struct qcow2_image *img)
{
	int r = qcow2_flush_refcounts(img);

	if (!r)
		r = qcow2_cache_flush(img, &img->l2_cache);
	if (!r && img->l1_dirty_lo != img->l1_dirty_hi) {
		r = qcow2_barrier(img);
		if (!r)
			r = write_table(img, img->l1, img->l1_dirty_lo, img->l1_dirty_hi,
					img->hdr.l1_offset);
		if (!r)
			img->l1_dirty_lo = img->l1_dirty_hi = 0;
	}
	if (!r)
		r = qcow2_barrier(img);
	/* Nothing on disk points to the freed clusters now. Lost, these writes only leak. */
	if (!r && img->nfrees) {
		r = qcow2_apply_frees(img);
		if (!r)
			r = qcow2_cache_flush(img, &img->rb_cache);
	}
	return r;
}

int qcow2_flush_if_frees_full(struct qcow2_image *img)
{
	/* The cost: this write-back's fdatasyncs (two, usually) per QCOW2_FREES_MAX_BYTES freed. */
	if (img->frees_bytes < QCOW2_FREES_MAX_BYTES && img->nfrees < QCOW2_FREES_MAX_ENTRIES)
		return 0;
	return qcow2_flush_all(img);
}
