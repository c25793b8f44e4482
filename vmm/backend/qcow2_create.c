/* Creating a qcow2 v3 image: the empty overlay that a snapshot disk writes into. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"

/* 64 KiB clusters and 16-bit refcounts: what qemu-img creates by default. */
#define NEW_CLUSTER_BITS 16
#define NEW_REFCOUNT_ORDER 4

/*
 * The layout: cluster 0 the header, 1 the refcount table, 2 its one
 * refcount block, 3 on the L1 table. Nothing else until the guest writes.
 */
enum { HEADER_CLUSTER, REFTABLE_CLUSTER, REFBLOCK_CLUSTER, L1_CLUSTER };

/* The header cluster: fields, the backing format extension, the end marker, the backing name. */
static int build_header(uint8_t *h, uint64_t cs, uint64_t size, uint32_t l1_size,
			const char *backing, const char *format)
{
	size_t flen = strlen(format), blen = strlen(backing);
	size_t ext = QCOW2_V3_HEADER_LEN, name = ext + 8 + ((flen + 7) & ~(size_t)7) + 8;

	if (name + blen > cs)
		return -ENAMETOOLONG;
	qcow2_put_be32(h, QCOW2_MAGIC);
	qcow2_put_be32(h + 4, 3);
	qcow2_put_be64(h + 8, name);
	qcow2_put_be32(h + 16, (uint32_t)blen);
	qcow2_put_be32(h + 20, NEW_CLUSTER_BITS);
	qcow2_put_be64(h + 24, size);
	qcow2_put_be32(h + 36, l1_size);
	qcow2_put_be64(h + 40, L1_CLUSTER * cs);
	qcow2_put_be64(h + 48, REFTABLE_CLUSTER * cs);
	qcow2_put_be32(h + 56, 1);
	qcow2_put_be32(h + 96, NEW_REFCOUNT_ORDER);
	qcow2_put_be32(h + 100, QCOW2_V3_HEADER_LEN);
	qcow2_put_be32(h + ext, QCOW2_EXT_BACKING_FORMAT);
	qcow2_put_be32(h + ext + 4, (uint32_t)flen);
	memcpy(h + ext + 8, format, flen);
	/* The end-of-extensions marker is the zeroes already there. */
	memcpy(h + name, backing, blen);
	return 0;
}

int qcow2_create_overlay(int fd, const char *path, uint64_t size, const char *backing,
			 const char *backing_format, char *err, size_t errlen)
{
	uint64_t cs = 1ull << NEW_CLUSTER_BITS, per_l2 = cs << (NEW_CLUSTER_BITS - 3);
	uint64_t l1_size = (size + per_l2 - 1) / per_l2, l1_clusters, clusters;
	uint8_t *buf = NULL;
	int r;

	if (size > QCOW2_MAX_VIRTUAL_SIZE || l1_size * 8 > QCOW2_MAX_L1_BYTES ||
	    strlen(backing) > QCOW2_MAX_BACKING_NAME) {
		block_err(err, errlen, path, "snapshot overlay: the image is too large or its path "
			  "too long for a qcow2 overlay");
		return -EINVAL;
	}
	if (!l1_size)
		l1_size = 1;
	l1_clusters = (l1_size * 8 + cs - 1) / cs;
	clusters = L1_CLUSTER + l1_clusters;
	buf = calloc(1, cs);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	r = build_header(buf, cs, size, (uint32_t)l1_size, backing, backing_format);
	if (!r)
		r = block_fd_pwrite(fd, buf, cs, HEADER_CLUSTER * cs);
	memset(buf, 0, cs);
	qcow2_put_be64(buf, REFBLOCK_CLUSTER * cs);
	if (!r)
		r = block_fd_pwrite(fd, buf, cs, REFTABLE_CLUSTER * cs);
	/* Every cluster so far is in use once; they all fit in the first refcount block. */
	memset(buf, 0, cs);
	for (uint64_t i = 0; i < clusters; i++)
		qcow2_put_be16(buf + 2 * i, 1);
	if (!r)
		r = block_fd_pwrite(fd, buf, cs, REFBLOCK_CLUSTER * cs);
	if (!r && ftruncate(fd, (off_t)(clusters * cs)) < 0)
		r = -errno;
out:
	if (r < 0)
		block_err(err, errlen, path, "snapshot overlay: cannot write it: %s", strerror(-r));
	free(buf);
	return r;
}
