/* Reading a qcow2 disk by clusters: from the file, the backing image, zeroes, or inflated data. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"
#include "util/iov.h"

/* Raw deflate with a 4 KiB window, as qcow2 writes compressed clusters. */
#define QCOW2_DEFLATE_WINDOW_BITS (-12)

/* Guest bytes [OFF, OFF + LEN) from the backing image: zeroes past its end, or without one. */
static int read_backing(struct qcow2_image *img, uint64_t off, uint64_t len,
			const struct iovec *iov, int iovcnt)
{
	struct block_backend *b = img->backing;
	struct iovec *part;
	uint64_t avail;
	int n, r;

	if (!b || off >= b->size) {
		block_iov_zero(iov, iovcnt);
		return 0;
	}
	avail = b->size - off;
	if (avail >= len)
		return b->ops->preadv(b, iov, iovcnt, off);
	part = malloc((size_t)iovcnt * sizeof(*part));
	if (!part)
		return -ENOMEM;
	n = iov_slice(iov, (unsigned)iovcnt, 0, avail, part, (unsigned)iovcnt);
	r = n < 0 ? -EINVAL : b->ops->preadv(b, part, n, off);
	n = iov_slice(iov, (unsigned)iovcnt, avail, len - avail, part, (unsigned)iovcnt);
	if (n > 0)
		block_iov_zero(part, n);
	free(part);
	return r;
}

/* Buffers and the zlib stream for compressed clusters, set up on first use. */
static int inflate_setup(struct qcow2_image *img)
{
	if (img->zs_ready)
		return 0;
	/* The compressed bytes may span up to two clusters (the sector count's range). */
	if (!img->zbuf)
		img->zbuf = malloc(2 * img->cluster_size);
	if (!img->dbuf)
		img->dbuf = malloc(img->cluster_size);
	if (!img->zbuf || !img->dbuf)
		return -ENOMEM;
	memset(&img->zs, 0, sizeof(img->zs));
	if (inflateInit2(&img->zs, QCOW2_DEFLATE_WINDOW_BITS) != Z_OK)
		return -ENOMEM;
	img->zs_ready = true;
	return 0;
}

/* Inflate the compressed cluster M into DBUF, unless it is already there. */
static int inflate_cluster(struct qcow2_image *img, const struct qcow2_map *m)
{
	int r, z;

	if (img->zs_ready && img->dbuf_entry == m->entry)
		return 0;
	r = inflate_setup(img);
	if (r < 0)
		return r;
	img->dbuf_entry = 0;
	/* The last compressed cluster may end before its last sector does: zeroes past the end. */
	r = block_fd_pread(img->fd, img->zbuf, m->len, m->host, true);
	if (r < 0)
		return r;
	if (inflateReset(&img->zs) != Z_OK)
		return -EIO;
	img->zs.next_in = img->zbuf;
	img->zs.avail_in = (uInt)m->len;
	img->zs.next_out = img->dbuf;
	img->zs.avail_out = (uInt)img->cluster_size;
	z = inflate(&img->zs, Z_FINISH);
	/* Done once a whole cluster came out; the input may well hold more (padding). */
	if ((z != Z_STREAM_END && z != Z_OK && z != Z_BUF_ERROR) || img->zs.avail_out)
		return -EIO;
	img->dbuf_entry = m->entry;
	return 0;
}

int qcow2_read_mapped(struct qcow2_image *img, const struct qcow2_map *m, uint64_t off,
		      uint64_t len, const struct iovec *iov, int iovcnt)
{
	uint64_t in = off & (img->cluster_size - 1);
	int r;

	switch (m->kind) {
	case QCOW2_UNALLOCATED:
		return read_backing(img, off, len, iov, iovcnt);
	case QCOW2_ZERO:
		block_iov_zero(iov, iovcnt);
		return 0;
	case QCOW2_NORMAL:
		/* A last cluster the file ends inside of: the rest was never written, so zeroes. */
		img->data_reads++;
		return block_fd_preadv(img->fd, iov, iovcnt, m->host + in, true);
	case QCOW2_COMPRESSED:
		r = inflate_cluster(img, m);
		if (r == 0)
			iov_from_buf(iov, (unsigned)iovcnt, 0, img->dbuf + in, len);
		return r;
	}
	return -EIO;
}

int qcow2_for_each_cluster(struct qcow2_image *img, const struct iovec *iov, int iovcnt,
			   uint64_t off, uint64_t len,
			   int64_t (*span)(struct qcow2_image *img, uint64_t off, uint64_t n,
					   uint64_t rest, void *opaque),
			   int (*fn)(struct qcow2_image *img, uint64_t off, uint64_t len,
				     const struct iovec *iov, int iovcnt, void *opaque),
			   void *opaque)
{
	struct iovec *part = NULL;
	uint64_t done = 0;
	int r = 0;

	if (off > img->base.size || len > img->base.size - off)
		return -EINVAL;
	if (iov && !(part = malloc((size_t)(iovcnt ? iovcnt : 1) * sizeof(*part))))
		return -ENOMEM;
	pthread_mutex_lock(&img->lock);
	while (done < len && !r) {
		uint64_t at = off + done, in = at & (img->cluster_size - 1);
		uint64_t n = img->cluster_size - in < len - done ? img->cluster_size - in : len - done;
		int64_t s = span ? span(img, at, n, len - done, opaque) : (int64_t)n;
		int cnt;

		if (s < 0) {
			r = (int)s;
			break;
		}
		n = (uint64_t)s;
		cnt = iov ? iov_slice(iov, (unsigned)iovcnt, done, n, part, (unsigned)iovcnt) : 0;
		r = cnt < 0 ? -EINVAL : fn(img, at, n, part, cnt, opaque);
		done += n;
	}
	pthread_mutex_unlock(&img->lock);
	free(part);
	return r;
}

/*
 * How far from OFF (N bytes into M's cluster so far, at most LEN in all) the
 * guest's clusters lie back to back in the file, as a sequentially written
 * image has them: one preadv then reads them all. Stops at the first cluster
 * that is not NORMAL, not next in the file, or cannot be looked up (read on
 * its own, it reports its error).
 */
static uint64_t normal_run(struct qcow2_image *img, const struct qcow2_map *m, uint64_t off,
			   uint64_t n, uint64_t len)
{
	uint64_t in = off & (img->cluster_size - 1);
	struct qcow2_map next;

	while (n < len) {
		uint64_t more = img->cluster_size < len - n ? img->cluster_size : len - n;

		if (qcow2_lookup(img, (off + n) >> img->cluster_bits, &next) ||
		    next.kind != QCOW2_NORMAL || next.host != m->host + in + n)
			break;
		n += more;
	}
	return n;
}

/* A read's piece: the run of clusters from OFF (normal_run), its first mapping kept for read_piece. */
static int64_t read_span(struct qcow2_image *img, uint64_t off, uint64_t n, uint64_t rest,
			 void *opaque)
{
	struct qcow2_map *m = opaque;
	int r = qcow2_lookup(img, off >> img->cluster_bits, m);

	if (r)
		return r;
	return (int64_t)(m->kind == QCOW2_NORMAL ? normal_run(img, m, off, n, rest) : n);
}

static int read_piece(struct qcow2_image *img, uint64_t off, uint64_t len, const struct iovec *iov,
		      int iovcnt, void *opaque)
{
	return qcow2_read_mapped(img, opaque, off, len, iov, iovcnt);
}

int qcow2_preadv(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct qcow2_map m;

	return qcow2_for_each_cluster((struct qcow2_image *)b, iov, iovcnt, offset,
				      iov_size(iov, (unsigned)iovcnt), read_span, read_piece, &m);
}
