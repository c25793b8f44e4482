/* Allocating qcow2 clusters (freed ones first, then at the end of the file); the queue of frees. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"

/* Counted clusters past the end of the file that allocation steps over before giving up. */
#define MAX_ALLOC_SKIP 65536

/*
 * Take the first free cluster from FREE_HINT on, unless the count says there
 * is none. *FOUND says whether one was taken. The scan costs O(1) memory and,
 * once it has reached the end of the file, runs only when frees made room.
 */
static int reuse_cluster(struct qcow2_image *img, uint64_t *offset, bool *found)
{
	uint64_t c = img->free_hint;
	int r;

	*found = false;
	if (img->free_counted && !img->free_count)
		return 0;
	r = qcow2_refcount_find_free(img, &c, found);
	if (r < 0)
		return r;
	if (!*found) {
		/*
		 * None below the end: only applied frees make some, and they lower
		 * the hint. Those were zeroed, unlike what was free at open.
		 */
		img->free_hint = img->alloc_end >> img->cluster_bits;
		img->free_count = 0;
		img->free_counted = true;
		img->free_zeroed = true;
		return 0;
	}
	*offset = c << img->cluster_bits;
	r = qcow2_refcount_add(img, *offset, 1);
	if (r < 0)
		return r;
	img->free_hint = c + 1;
	if (img->free_counted && img->free_count)
		img->free_count--;
	return 0;
}

/* A cluster off the end of the file. */
static int alloc_at_end(struct qcow2_image *img, uint64_t *offset)
{
	uint64_t rc;
	int r;

	/*
	 * Past the end of the file nothing should be counted, but a writer that
	 * crashed may have left counts there (leaks): using such a cluster would
	 * count it twice, so skip it.
	 */
	for (unsigned i = 0; i < MAX_ALLOC_SKIP; i++) {
		r = qcow2_take_clusters(img, 1, offset);
		if (!r)
			r = qcow2_refcount_get(img, *offset, &rc);
		if (r < 0)
			return r;
		if (!rc)
			return qcow2_refcount_add(img, *offset, 1);
	}
	return -EIO;
}

int qcow2_alloc_cluster(struct qcow2_image *img, uint64_t *offset, bool *zeroed)
{
	bool found;
	int r = reuse_cluster(img, offset, &found);

	if (r < 0)
		return r;
	/* Never written, a cluster from the end reads as zeroes; a reused one if we zeroed it. */
	if (zeroed)
		*zeroed = !found || img->free_zeroed;
	return found ? 0 : alloc_at_end(img, offset);
}

/* Queue [OFFSET, OFFSET + LEN) (whole clusters), joined to the last entry when it follows on. */
static int queue_free(struct qcow2_image *img, uint64_t offset, uint64_t len, bool meta)
{
	struct qcow2_free *last = img->nfrees ? &img->frees[img->nfrees - 1] : NULL;

	img->frees_bytes += len;
	if (last && last->meta == meta && last->offset + last->len == offset) {
		last->len += len;
		return 0;
	}
	if (img->nfrees == img->frees_cap) {
		size_t cap = img->frees_cap ? img->frees_cap * 2 : 16;
		struct qcow2_free *f = realloc(img->frees, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		img->frees = f;
		img->frees_cap = cap;
	}
	img->frees[img->nfrees++] = (struct qcow2_free){ .offset = offset, .len = len, .meta = meta };
	return 0;
}

int qcow2_free_table_later(struct qcow2_image *img, uint64_t offset, uint64_t len)
{
	return queue_free(img, offset, len, true);
}

int qcow2_free_later(struct qcow2_image *img, uint64_t offset, uint64_t len)
{
	uint64_t mask = img->cluster_size - 1, end = (offset + len + mask) & ~mask;

	for (uint64_t c = offset & ~mask; c < end; c += img->cluster_size) {
		uint64_t rc = 0;
		int r = 0;

		if (!qcow2_meta_has(img, c))
			r = qcow2_refcount_get(img, c, &rc);
		if (!r && rc)
			r = queue_free(img, c, img->cluster_size, false);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Drop one reference to cluster C of the free F. *FREED: that was its last one. */
static int free_cluster(struct qcow2_image *img, const struct qcow2_free *f, uint64_t c,
			bool *freed)
{
	uint64_t rc;
	int r;

	*freed = false;
	if (f->meta)
		qcow2_meta_remove(img, c);
	else if (qcow2_meta_has(img, c))
		return 0;
	r = qcow2_refcount_get(img, c, &rc);
	/* Counted 0 already: a corrupt image mapped it twice. Dropping below 0 would wrap. */
	if (!r && rc)
		r = qcow2_refcount_add(img, c, -1);
	*freed = !r && rc == 1;
	return r;
}

/*
 * Give [OFF, OFF + LEN), clusters nothing uses any more, back to the file
 * system, or at least zero them: a reused cluster then needs no zeroes
 * written around a partial write. If even that fails, stop counting on it.
 */
static void give_back(struct qcow2_image *img, uint64_t off, uint64_t len)
{
	if (!len || !fallocate(img->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			       (off_t)len))
		return;
	if (!img->zero_buf)
		img->zero_buf = calloc(1, img->cluster_size);
	for (uint64_t at = off; at < off + len; at += img->cluster_size) {
		if (!img->zero_buf || block_fd_pwrite(img->fd, img->zero_buf, img->cluster_size, at)) {
			img->free_zeroed = false;
			return;
		}
		img->unsynced = true;
	}
}

/* The cluster at OFFSET is free now: the next allocation looks from there on. */
static void note_free(struct qcow2_image *img, uint64_t offset)
{
	uint64_t ci = offset >> img->cluster_bits;

	if (ci < img->free_hint)
		img->free_hint = ci;
	if (img->free_counted)
		img->free_count++;
}

int qcow2_apply_frees(struct qcow2_image *img)
{
	size_t n = img->nfrees;

	/* Taken off the list first: on an error the rest leak, which is safe; twice would not be. */
	img->nfrees = 0;
	img->frees_bytes = 0;
	for (size_t i = 0; i < n; i++) {
		const struct qcow2_free *f = &img->frees[i];
		uint64_t end = f->offset + f->len, run = f->offset;	/* run: freed in a row */

		for (uint64_t c = f->offset; c < end; c += img->cluster_size) {
			bool freed;
			int r = free_cluster(img, f, c, &freed);

			if (r < 0) {
				give_back(img, run, c - run);
				return r;
			}
			if (freed) {
				note_free(img, c);
				continue;
			}
			give_back(img, run, c - run);
			run = c + img->cluster_size;
		}
		give_back(img, run, end - run);
	}
	return 0;
}
