/* Writing a qcow2 disk: in place or copy-on-write into a new cluster; zeroing and discarding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"
#include "util/iov.h"

/* A cluster buffer of IMG, allocated on first use (ZEROED: calloc, kept all zeroes). */
static int cluster_buf(struct qcow2_image *img, uint8_t **buf, bool zeroed)
{
	if (!*buf)
		*buf = zeroed ? calloc(1, img->cluster_size) : malloc(img->cluster_size);
	return *buf ? 0 : -ENOMEM;
}

/*
 * Whether guest cluster data mapped by M (NORMAL) may be written in place:
 * only when its L2 entry says COPIED and it is counted exactly once. Shared
 * or miscounted clusters are copied first, as the format asks.
 */
static int in_place(struct qcow2_image *img, const struct qcow2_map *m, bool *yes)
{
	uint64_t rc;
	int r;

	*yes = false;
	if (!(m->entry & QCOW2_OFLAG_COPIED))
		return 0;
	r = qcow2_refcount_get(img, m->host, &rc);
	if (!r)
		*yes = rc == 1;
	return r;
}

/*
 * Queue the release of the host space M used, once the new mapping is on
 * disk; when the queue is full, put the mappings on disk and free it all.
 */
static int release(struct qcow2_image *img, const struct qcow2_map *m)
{
	int r = 0;

	switch (m->kind) {
	case QCOW2_COMPRESSED:
		/* Counted from the sector holding its first byte, as qcow2 counts it. */
		r = qcow2_free_later(img, m->host & ~511ull, m->len + (m->host & 511));
		break;
	case QCOW2_ZERO:
	case QCOW2_NORMAL:
		r = m->host ? qcow2_free_later(img, m->host, img->cluster_size) : 0;
		break;
	case QCOW2_UNALLOCATED:
		break;
	}
	return r ? r : qcow2_flush_if_frees_full(img);
}

/*
 * Fill the new cluster HOST for guest cluster VC (mapped by M before) with
 * the old contents around the LEN new bytes at IN, and the new ones. ZEROED:
 * HOST reads as zeroes now.
 */
static int fill_new_cluster(struct qcow2_image *img, const struct qcow2_map *m, uint64_t vc,
			    uint64_t host, bool zeroed, uint64_t in, uint64_t len,
			    const struct iovec *iov, int iovcnt)
{
	uint64_t cs = img->cluster_size, start = vc << img->cluster_bits;
	bool old_zero = m->kind == QCOW2_ZERO || (m->kind == QCOW2_UNALLOCATED && !img->backing);
	uint8_t *buf;
	int r;

	/*
	 * Old contents that are zeroes need no copying into a cluster that reads
	 * as zeroes already. A reused cluster that kept its old bytes gets the
	 * zeroes written like any other contents.
	 */
	if (len == cs || (old_zero && zeroed)) {
		r = block_fd_pwritev(img->fd, iov, iovcnt, host + in);
		goto out;
	}
	r = cluster_buf(img, &img->cow_buf, false);
	if (r < 0)
		return r;
	buf = img->cow_buf;
	if (in)
		r = qcow2_read_mapped(img, m, start, in, &(struct iovec){ buf, in }, 1);
	if (!r && in + len < cs)
		r = qcow2_read_mapped(img, m, start + in + len, cs - in - len,
				      &(struct iovec){ buf + in + len, cs - in - len }, 1);
	if (r < 0)
		return r;
	iov_to_buf(iov, (unsigned)iovcnt, 0, buf + in, len);
	r = block_fd_pwrite(img->fd, buf, cs, host);
out:
	if (!r)
		img->unsynced = true;
	return r;
}

/* Write one piece within a guest cluster. */
static int write_piece(struct qcow2_image *img, uint64_t off, uint64_t len,
		       const struct iovec *iov, int iovcnt, void *opaque)
{
	uint64_t vc = off >> img->cluster_bits, in = off & (img->cluster_size - 1), host;
	struct qcow2_map m;
	bool zeroed = false;	/* what the new cluster reads as matters only around a part */
	int r;

	(void)opaque;
	if (img->broken)
		return -EIO;
	r = qcow2_lookup(img, vc, &m);
	if (r < 0)
		return r;
	if (m.kind == QCOW2_NORMAL) {
		bool yes;

		/* The image's L2 entries may not be trusted to point at data: never at its metadata. */
		if (qcow2_meta_has(img, m.host))
			return -EIO;
		r = in_place(img, &m, &yes);
		if (r < 0)
			return r;
		if (yes) {
			r = block_fd_pwritev(img->fd, iov, iovcnt, m.host + in);
			if (!r)
				img->unsynced = true;
			return r;
		}
	}
	/* Otherwise a new cluster, then the L2 entry, then the old one freed. */
	r = qcow2_alloc_cluster(img, &host, len < img->cluster_size ? &zeroed : NULL);
	if (!r)
		r = fill_new_cluster(img, &m, vc, host, zeroed, in, len, iov, iovcnt);
	if (!r)
		r = qcow2_l2_set(img, vc, host | QCOW2_OFLAG_COPIED);
	/* A cluster counted 0 may come back as the new one: it is in use again, not to be freed. */
	return r || host == m.host ? r : release(img, &m);
}

int qcow2_pwritev(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct qcow2_image *img = (struct qcow2_image *)b;

	if (b->readonly)
		return -EROFS;
	return qcow2_for_each_cluster(img, iov, iovcnt, offset, iov_size(iov, (unsigned)iovcnt),
				      NULL, write_piece, NULL);
}

/* Write LEN zero bytes at OFF (within one cluster) as data. */
static int write_zero_bytes(struct qcow2_image *img, uint64_t off, uint64_t len)
{
	int r = cluster_buf(img, &img->zero_buf, true);

	if (r < 0)
		return r;
	return write_piece(img, off, len, &(struct iovec){ img->zero_buf, len }, 1, NULL);
}

/*
 * Zero (or, DISCARD, forget) one piece within a guest cluster. A whole
 * cluster becomes a zero cluster (v3) or unallocated (v2 with no backing)
 * and its space is freed; otherwise a discard does nothing (it is a hint)
 * and zeroes are written as data.
 */
static int zero_piece(struct qcow2_image *img, uint64_t off, uint64_t len,
		      const struct iovec *iov, int iovcnt, void *opaque)
{
	bool discard = *(bool *)opaque;
	uint64_t vc = off >> img->cluster_bits;
	bool whole = !(off & (img->cluster_size - 1)) &&
		     (len == img->cluster_size || off + len == img->base.size);
	struct qcow2_map m;
	int r;

	(void)iov;
	(void)iovcnt;
	if (img->broken)
		return -EIO;
	r = qcow2_lookup(img, vc, &m);
	if (r < 0)
		return r;
	if ((m.kind == QCOW2_ZERO && !m.host) || (m.kind == QCOW2_UNALLOCATED && !img->backing))
		return 0;	/* already reads as zeroes and holds no space */
	if (discard && (!whole || m.kind == QCOW2_UNALLOCATED))
		return 0;
	if (whole && img->hdr.version >= 3)
		r = qcow2_l2_set(img, vc, QCOW2_OFLAG_ZERO);
	else if (whole && !img->backing)
		r = qcow2_l2_set(img, vc, 0);
	else
		return discard ? 0 : write_zero_bytes(img, off, len);
	return r ? r : release(img, &m);
}

int qcow2_discard(struct block_backend *b, uint64_t offset, uint64_t len)
{
	bool discard = true;

	if (b->readonly)
		return -EROFS;
	return qcow2_for_each_cluster((struct qcow2_image *)b, NULL, 0, offset, len, NULL,
				      zero_piece, &discard);
}

int qcow2_write_zeroes(struct block_backend *b, uint64_t offset, uint64_t len, bool may_unmap)
{
	bool discard = false;

	/* Zero clusters free their space whether or not MAY_UNMAP allows it: both are correct. */
	(void)may_unmap;
	if (b->readonly)
		return -EROFS;
	return qcow2_for_each_cluster((struct qcow2_image *)b, NULL, 0, offset, len, NULL,
				      zero_piece, &discard);
}
