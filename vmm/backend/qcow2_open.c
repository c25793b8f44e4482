/* Opening and closing qcow2 images: whether we may use one, its backing file, its ops. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"
#include "log.h"

/* The L2 cache holds this much by default, within bounds on its entry count. */
#define L2_CACHE_BYTES (4u << 20)
#define L2_CACHE_MIN 4
#define L2_CACHE_MAX 128
/*
 * Every in-place write checks its cluster's refcount, so random writes touch
 * refcount blocks all over the file: 16 cover 32 GiB of 64 KiB clusters.
 */
#define RB_CACHE_ENTRIES 16

static int qcow2_flush(struct block_backend *b)
{
	struct qcow2_image *img = (struct qcow2_image *)b;
	int r;

	if (b->readonly)
		return 0;
	pthread_mutex_lock(&img->lock);
	r = qcow2_flush_all(img);
	pthread_mutex_unlock(&img->lock);
	return r;
}

static void destroy(struct qcow2_image *img)
{
	if (img->backing)
		img->backing->ops->close(img->backing);
	qcow2_cache_destroy(&img->l2_cache);
	qcow2_cache_destroy(&img->rb_cache);
	qcow2_meta_destroy(img);
	if (img->zs_ready)
		inflateEnd(&img->zs);
	free(img->l1);
	free(img->reftable);
	free(img->frees);
	free(img->cow_buf);
	free(img->zero_buf);
	free(img->zbuf);
	free(img->dbuf);
	close(img->fd);
	pthread_mutex_destroy(&img->lock);
	free(img);
}

static void qcow2_close(struct block_backend *b)
{
	struct qcow2_image *img = (struct qcow2_image *)b;
	int r = 0;

	/* An overlay's file is already unlinked: nothing in it can matter any more. */
	if (!b->readonly && !img->throwaway) {
		r = qcow2_flush_all(img);
		if (!r)
			r = qcow2_barrier(img);
	}
	if (r < 0)
		log_error("%s: cannot write the image's metadata back: %s", b->path, strerror(-r));
	destroy(img);
}

static const struct block_ops qcow2_ops = {
	.preadv = qcow2_preadv,
	.pwritev = qcow2_pwritev,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.write_zeroes = qcow2_write_zeroes,
	.close = qcow2_close,
};

/* What we will not write to: internal snapshots (shared clusters need COW), dirty, corrupt. */
static int check_writable(const struct qcow2_image *img, char *err, size_t errlen)
{
	const char *path = img->base.path;
	uint64_t incompat = img->hdr.incompatible;

	if (img->hdr.nb_snapshots) {
		block_err(err, errlen, path, "has %u internal snapshots, which capsule cannot write "
			  "to (use it read-only or with snapshot = true)", img->hdr.nb_snapshots);
		return -ENOTSUP;
	}
	if (incompat & (1ull << QCOW2_INCOMPAT_DIRTY)) {
		block_err(err, errlen, path, "marked dirty (incompatible feature bit 0): repair it "
			  "with qemu-img check -r all, or use it read-only");
		return -ENOTSUP;
	}
	if (incompat & (1ull << QCOW2_INCOMPAT_CORRUPT)) {
		block_err(err, errlen, path, "marked corrupt (incompatible feature bit 1): repair it "
			  "with qemu-img check -r all, or use it read-only");
		return -EINVAL;
	}
	return 0;
}

/*
 * Open the backing file where block_backing_open() allows, as the format the
 * image names (raw or qcow2; none: probed as one of them).
 */
static int open_backing(struct qcow2_image *img, const struct block_chain *chain, char *err,
			size_t errlen)
{
	const char *fmt = img->hdr.backing_format;
	enum block_format format = BLOCK_FORMAT_AUTO;

	if (!strcmp(fmt, "raw"))
		format = BLOCK_FORMAT_RAW;
	else if (!strcmp(fmt, "qcow2"))
		format = BLOCK_FORMAT_QCOW2;
	else if (*fmt) {
		block_err(err, errlen, img->base.path, "backing file format '%s' is not supported",
			  fmt);
		return -ENOTSUP;
	}
	if (!chain) {
		block_err(err, errlen, img->base.path, "names a backing file, which cannot be opened "
			  "here");
		return -EINVAL;
	}
	return block_open_backing(img->base.path, img->hdr.backing, format, chain, &img->backing,
				  err, errlen);
}

/*
 * Writing without updating the image's bitmaps would leave them stale: the
 * autoclear bits say so, cleared before the first write (qcow2.txt).
 */
static int clear_autoclear(struct qcow2_image *img, char *err, size_t errlen)
{
	uint8_t zero[8] = { 0 };
	int r;

	if (img->hdr.version < 3 || !img->hdr.autoclear)
		return 0;
	r = block_fd_pwrite(img->fd, zero, sizeof(zero), QCOW2_HDR_AUTOCLEAR);
	img->unsynced = true;
	if (!r)
		r = qcow2_barrier(img);
	if (r < 0)
		block_err(err, errlen, img->base.path, "cannot update the header: %s", strerror(-r));
	img->hdr.autoclear = 0;
	return r;
}

/* Sizes derived from the header, and the caches they size. */
static int setup_geometry(struct qcow2_image *img, unsigned l2_entries, char *err, size_t errlen)
{
	int r;

	img->cluster_bits = img->hdr.cluster_bits;
	img->cluster_size = 1ull << img->cluster_bits;
	img->l2_bits = img->cluster_bits - 3;
	img->rb_bits = img->cluster_bits + 3 - img->hdr.refcount_order;
	/* The file may end inside its last cluster; new clusters start after it. */
	img->alloc_end = (img->file_size + img->cluster_size - 1) & ~(img->cluster_size - 1);
	if (!l2_entries)
		l2_entries = (unsigned)(L2_CACHE_BYTES >> img->cluster_bits);
	if (l2_entries < L2_CACHE_MIN)
		l2_entries = L2_CACHE_MIN;
	if (l2_entries > L2_CACHE_MAX)
		l2_entries = L2_CACHE_MAX;
	r = qcow2_cache_init(&img->l2_cache, l2_entries, qcow2_flush_refcounts);
	if (!r)
		r = qcow2_cache_init(&img->rb_cache, RB_CACHE_ENTRIES, NULL);
	if (r < 0)
		block_err(err, errlen, img->base.path, "out of memory");
	return r;
}

/* Everything after the allocation: IMG holds the fd and backing, and destroy() releases them. */
static int open_image(struct qcow2_image *img, const struct qcow2_open_params *p, char *err,
		      size_t errlen)
{
	int r = block_fd_size(img->fd, &img->file_size);

	if (r < 0) {
		block_err(err, errlen, img->base.path, "cannot find the size: %s", strerror(-r));
		return r;
	}
	r = qcow2_header_read(img->fd, img->base.path, img->file_size, &img->hdr, err, errlen);
	if (!r)
		r = setup_geometry(img, p->l2_cache_entries, err, errlen);
	if (!r && !p->readonly)
		r = check_writable(img, err, errlen);
	if (!r)
		r = qcow2_tables_load(img, err, errlen);
	if (!r && !p->readonly)
		r = qcow2_meta_load(img, err, errlen);
	if (!r && !img->backing && img->hdr.backing[0])
		r = open_backing(img, p->chain, err, errlen);
	if (!r && !p->readonly)
		r = clear_autoclear(img, err, errlen);
	return r;
}

int qcow2_open(const char *path, int fd, const struct qcow2_open_params *p,
	       struct block_backend **out, char *err, size_t errlen)
{
	struct qcow2_image *img = calloc(1, sizeof(*img));
	int r;

	if (!img) {
		block_err(err, errlen, path, "out of memory");
		close(fd);
		if (p->backing)
			p->backing->ops->close(p->backing);
		return -ENOMEM;
	}
	pthread_mutex_init(&img->lock, NULL);
	img->fd = fd;
	img->base.fd = fd;
	img->backing = p->backing;
	img->throwaway = p->throwaway;
	img->base.ops = &qcow2_ops;
	img->base.readonly = p->readonly;
	snprintf(img->base.path, sizeof(img->base.path), "%s", path);
	r = open_image(img, p, err, errlen);
	if (r < 0) {
		destroy(img);
		return r;
	}
	img->base.size = img->hdr.size;
	*out = &img->base;
	return 0;
}
