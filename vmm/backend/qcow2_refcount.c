/* qcow2 refcounts: reading and changing them, finding free clusters, growing the table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/qcow2.h"

/* How deep refcount block creation and table growth may call each other (two levels suffice). */
#define MAX_REFCOUNT_DEPTH 6

/* Entry I of refcount block B, entries being 1 << ORDER bits wide (narrow ones LSB first). */
static uint64_t rb_entry(const uint8_t *b, unsigned order, uint64_t i)
{
	unsigned bits, shift;

	switch (order) {
	case 3:
		return b[i];
	case 4:
		return qcow2_be16(b + 2 * i);
	case 5:
		return qcow2_be32(b + 4 * i);
	case 6:
		return qcow2_be64(b + 8 * i);
	default:
		bits = 1u << order;
		shift = (unsigned)(i % (8 / bits)) * bits;
		return (b[i / (8 / bits)] >> shift) & ((1u << bits) - 1);
	}
}

static void rb_set_entry(uint8_t *b, unsigned order, uint64_t i, uint64_t v)
{
	unsigned bits, shift;
	uint8_t *p;

	switch (order) {
	case 3:
		b[i] = (uint8_t)v;
		return;
	case 4:
		qcow2_put_be16(b + 2 * i, (uint16_t)v);
		return;
	case 5:
		qcow2_put_be32(b + 4 * i, (uint32_t)v);
		return;
	case 6:
		qcow2_put_be64(b + 8 * i, v);
		return;
	default:
		bits = 1u << order;
		shift = (unsigned)(i % (8 / bits)) * bits;
		p = &b[i / (8 / bits)];
		*p = (uint8_t)((*p & ~(((1u << bits) - 1) << shift)) | (v << shift));
	}
}

int qcow2_take_clusters(struct qcow2_image *img, uint64_t n, uint64_t *offset)
{
	uint64_t bytes = n << img->cluster_bits;

	if (n > (QCOW2_MAX_HOST_OFFSET >> img->cluster_bits) ||
	    img->alloc_end > QCOW2_MAX_HOST_OFFSET - bytes)
		return -ENOSPC;
	*offset = img->alloc_end;
	img->alloc_end += bytes;
	return 0;
}

int qcow2_refcount_get(struct qcow2_image *img, uint64_t offset, uint64_t *out)
{
	uint64_t ci = offset >> img->cluster_bits, ti = ci >> img->rb_bits;
	struct qcow2_cache_entry *e;
	int r;

	*out = 0;
	if (ti >= img->reftable_entries || !img->reftable[ti])
		return 0;
	r = qcow2_cache_get(img, &img->rb_cache, img->reftable[ti], false, &e);
	if (r < 0)
		return r;
	*out = rb_entry(e->data, img->hdr.refcount_order, ci & ((1ull << img->rb_bits) - 1));
	return 0;
}

static int reftable_grow(struct qcow2_image *img, uint64_t min_entries);

/*
 * A new, empty refcount block for table entry TI, in the next free cluster.
 * It may well count itself: its own refcount is set like any other.
 */
static int refblock_create(struct qcow2_image *img, uint64_t ti)
{
	struct qcow2_cache_entry *e;
	uint64_t off;
	int r;

	r = qcow2_take_clusters(img, 1, &off);
	if (!r)
		r = qcow2_meta_add(img, off);
	if (r < 0)
		return r;
	r = qcow2_cache_get(img, &img->rb_cache, off, true, &e);
	if (r < 0)
		return r;
	img->reftable[ti] = off;
	qcow2_dirty_add(&img->rt_dirty_lo, &img->rt_dirty_hi, ti);
	r = qcow2_refcount_add(img, off, 1);
	/* The table now names a block that does not count itself: write no more metadata. */
	if (r < 0)
		img->broken = true;
	return r;
}

int qcow2_refcount_add(struct qcow2_image *img, uint64_t offset, int delta)
{
	uint64_t ci = offset >> img->cluster_bits, ti = ci >> img->rb_bits, v, max;
	unsigned order = img->hdr.refcount_order;
	struct qcow2_cache_entry *e;
	int r = 0;

	if (++img->refcount_depth > MAX_REFCOUNT_DEPTH) {
		r = -EIO;
		goto out;
	}
	if (ti >= img->reftable_entries)
		r = delta < 0 ? -EIO : reftable_grow(img, ti + 1);
	if (!r && !img->reftable[ti])
		r = delta < 0 ? -EIO : refblock_create(img, ti);
	if (!r)
		r = qcow2_cache_get(img, &img->rb_cache, img->reftable[ti], false, &e);
	if (r < 0)
		goto out;
	ci &= (1ull << img->rb_bits) - 1;
	v = rb_entry(e->data, order, ci);
	max = order == 6 ? UINT64_MAX : (1ull << (1u << order)) - 1;
	/* A count that would wrap means the image is corrupt: refuse rather than corrupt it more. */
	if ((delta < 0 && v == 0) || (delta > 0 && v == max)) {
		r = -EIO;
		goto out;
	}
	rb_set_entry(e->data, order, ci, delta > 0 ? v + 1 : v - 1);
	e->dirty = true;
out:
	img->refcount_depth--;
	return r;
}

/*
 * Size a new refcount table of at least MIN_ENTRIES that also covers itself
 * and the refcount blocks that will count it, all placed at the end of the file.
 */
static int reftable_size(struct qcow2_image *img, uint64_t min_entries, uint64_t *entries,
			 uint64_t *clusters)
{
	uint64_t per_cluster = img->cluster_size / 8;
	uint64_t n = img->reftable_entries * 2 > min_entries ? img->reftable_entries * 2 : min_entries;

	for (;;) {
		uint64_t c = (n + per_cluster - 1) / per_cluster, end;

		if (c * img->cluster_size > QCOW2_MAX_REFTABLE_BYTES)
			return -ENOSPC;
		n = c * per_cluster;
		/* The table, then at most one refcount block per cluster of it and two more. */
		end = (img->alloc_end >> img->cluster_bits) + 2 * c + 2;
		if ((end >> img->rb_bits) < n) {
			*entries = n;
			*clusters = c;
			return 0;
		}
		n *= 2;
	}
}

/*
 * Move the refcount table to a bigger one at the end of the file. Nothing on
 * disk changes yet: qcow2_flush_refcounts() writes it, then points the header
 * at it; the old table's clusters are freed only after that.
 */
static int reftable_grow(struct qcow2_image *img, uint64_t min_entries)
{
	uint64_t entries, clusters, off;
	uint64_t *table;
	int r;

	r = reftable_size(img, min_entries, &entries, &clusters);
	if (r < 0)
		return r;
	table = calloc(entries, sizeof(*table));
	if (!table)
		return -ENOMEM;
	r = qcow2_take_clusters(img, clusters, &off);
	if (!r)
		r = qcow2_free_table_later(img, img->reftable_offset,
					   (uint64_t)img->reftable_clusters << img->cluster_bits);
	if (r < 0) {
		free(table);
		return r;
	}
	memcpy(table, img->reftable, img->reftable_entries * sizeof(*table));
	free(img->reftable);
	img->reftable = table;
	img->reftable_entries = entries;
	img->reftable_offset = off;
	img->reftable_clusters = (uint32_t)clusters;
	img->reftable_moved = true;
	img->rt_dirty_lo = img->rt_dirty_hi = 0;
	for (uint64_t i = 0; i < clusters && !r; i++)
		r = qcow2_meta_add(img, off + (i << img->cluster_bits));
	for (uint64_t i = 0; i < clusters && !r; i++)
		r = qcow2_refcount_add(img, off + (i << img->cluster_bits), 1);
	/* A table that does not count itself must never reach the disk. */
	if (r < 0)
		img->broken = true;
	return r;
}

int qcow2_refcount_find_free(struct qcow2_image *img, uint64_t *ci, bool *found)
{
	uint64_t end = img->alloc_end >> img->cluster_bits, in_block = (1ull << img->rb_bits) - 1;
	struct qcow2_cache_entry *e;
	int r;

	*found = false;
	for (uint64_t c = *ci; c < end;) {
		uint64_t ti = c >> img->rb_bits, stop = (ti + 1) << img->rb_bits;
		const uint8_t *block = NULL;	/* none: every count in its range is 0 */

		if (ti < img->reftable_entries && img->reftable[ti]) {
			r = qcow2_cache_get(img, &img->rb_cache, img->reftable[ti], false, &e);
			if (r < 0)
				return r;
			block = e->data;
		}
		for (; c < stop && c < end; c++) {
			if (block && rb_entry(block, img->hdr.refcount_order, c & in_block))
				continue;
			/* A table counted 0 is a corrupt count, not free space. */
			if (!qcow2_meta_has(img, c << img->cluster_bits)) {
				*ci = c;
				*found = true;
				return 0;
			}
		}
	}
	return 0;
}
