/* The qcow2 header: reading it, its extensions and backing name, refusing what we can't trust. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"

/* Where the optional v3 field compression_type lives, and the feature name table's entry size. */
#define HDR_COMPRESSION_TYPE 104
#define FEATURE_NAME_ENTRY 48
#define FEATURE_NAME_LEN 46

static const char *const incompatible_names[] = {
	[QCOW2_INCOMPAT_DIRTY] = "dirty",
	[QCOW2_INCOMPAT_CORRUPT] = "corrupt",
	[QCOW2_INCOMPAT_DATA_FILE] = "external data file",
	[QCOW2_INCOMPAT_COMPRESSION] = "compression type",
	[QCOW2_INCOMPAT_EXTENDED_L2] = "extended L2 entries",
};

/* Where the header cluster keeps the feature name table, while parsing. */
struct feature_table {
	const uint8_t *data;
	size_t len;
};

/*
 * Name incompatible feature BIT into NAME: ours, else the image's own feature
 * name table, else "unknown".
 */
static void feature_name(const struct feature_table *ft, unsigned bit, char *name, size_t len)
{
	if (bit < sizeof(incompatible_names) / sizeof(*incompatible_names)) {
		snprintf(name, len, "%s", incompatible_names[bit]);
		return;
	}
	for (size_t i = 0; ft->data && i + FEATURE_NAME_ENTRY <= ft->len; i += FEATURE_NAME_ENTRY) {
		const uint8_t *e = ft->data + i;

		if (e[0] == 0 && e[1] == bit) {
			snprintf(name, len, "%.*s", FEATURE_NAME_LEN, (const char *)e + 2);
			return;
		}
	}
	snprintf(name, len, "unknown");
}

/* Refuse the first incompatible feature we do not support. */
static int check_incompatible(const struct qcow2_header *h, const struct feature_table *ft,
			      const char *path, char *err, size_t errlen)
{
	uint64_t ok = 1ull << QCOW2_INCOMPAT_DIRTY | 1ull << QCOW2_INCOMPAT_CORRUPT;
	char name[FEATURE_NAME_LEN + 1];

	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(h->incompatible & (1ull << bit)) || (ok & (1ull << bit)))
			continue;
		feature_name(ft, bit, name, sizeof(name));
		block_err(err, errlen, path, "unsupported incompatible feature bit %u (%s)", bit, name);
		return -ENOTSUP;
	}
	return 0;
}

/* The fixed fields of BUF (at least the header length of its version). */
static void parse_fields(const uint8_t *buf, struct qcow2_header *h)
{
	h->version = qcow2_be32(buf + 4);
	h->backing_offset = qcow2_be64(buf + 8);
	h->backing_len = qcow2_be32(buf + 16);
	h->cluster_bits = qcow2_be32(buf + 20);
	h->size = qcow2_be64(buf + 24);
	h->crypt_method = qcow2_be32(buf + 32);
	h->l1_size = qcow2_be32(buf + 36);
	h->l1_offset = qcow2_be64(buf + 40);
	h->reftable_offset = qcow2_be64(buf + 48);
	h->reftable_clusters = qcow2_be32(buf + 56);
	h->nb_snapshots = qcow2_be32(buf + 60);
	h->snapshots_offset = qcow2_be64(buf + 64);
	h->refcount_order = 4;
	h->header_length = QCOW2_V2_HEADER_LEN;
	if (h->version < 3)
		return;
	h->incompatible = qcow2_be64(buf + 72);
	h->compatible = qcow2_be64(buf + 80);
	h->autoclear = qcow2_be64(buf + 88);
	h->refcount_order = qcow2_be32(buf + 96);
	h->header_length = qcow2_be32(buf + 100);
}

/* Magic, version, cluster size and header length: what is needed to read the rest. */
static int check_basics(const uint8_t *buf, uint64_t file_size, struct qcow2_header *h,
			const char *path, char *err, size_t errlen)
{
	if (file_size < QCOW2_V2_HEADER_LEN) {
		block_err(err, errlen, path, "truncated qcow2 header (the file has %llu bytes)",
			  (unsigned long long)file_size);
		return -EINVAL;
	}
	if (qcow2_be32(buf) != QCOW2_MAGIC) {
		block_err(err, errlen, path, "not a qcow2 image (bad magic at offset 0x0)");
		return -EINVAL;
	}
	parse_fields(buf, h);
	if (h->version != 2 && h->version != 3) {
		block_err(err, errlen, path, "unsupported qcow2 version %u", h->version);
		return -ENOTSUP;
	}
	if (h->version == 3 && file_size < QCOW2_V3_HEADER_LEN) {
		block_err(err, errlen, path, "truncated qcow2 v3 header (the file has %llu bytes)",
			  (unsigned long long)file_size);
		return -EINVAL;
	}
	if (h->cluster_bits < QCOW2_MIN_CLUSTER_BITS || h->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
		block_err(err, errlen, path, "cluster_bits %u at offset 0x14 is out of range (9 to 21)",
			  h->cluster_bits);
		return -EINVAL;
	}
	if (h->version == 3 && (h->header_length < QCOW2_V3_HEADER_LEN || h->header_length % 8 ||
				h->header_length > (1u << h->cluster_bits) ||
				h->header_length > file_size)) {
		block_err(err, errlen, path, "header length %u at offset 0x64 is invalid",
			  h->header_length);
		return -EINVAL;
	}
	return 0;
}

/* Whether a table of BYTES at OFFSET is cluster-aligned; the message names it. */
static int check_table(const char *what, uint64_t offset, uint64_t bytes, uint64_t cluster_size,
		       uint64_t file_size, const char *path, char *err, size_t errlen)
{
	if (offset & (cluster_size - 1)) {
		block_err(err, errlen, path, "%s at offset 0x%llx is not cluster-aligned", what,
			  (unsigned long long)offset);
		return -EINVAL;
	}
	if (!offset) {
		block_err(err, errlen, path, "%s at offset 0x0 overlaps the header", what);
		return -EINVAL;
	}
	if (offset > file_size || bytes > file_size - offset) {
		block_err(err, errlen, path, "%s at offset 0x%llx (%llu bytes) is outside the file",
			  what, (unsigned long long)offset, (unsigned long long)bytes);
		return -EINVAL;
	}
	return 0;
}

/* Sizes and where the tables are: every count bounded before it sizes an allocation. */
static int check_geometry(const struct qcow2_header *h, uint64_t file_size, const char *path,
			  char *err, size_t errlen)
{
	uint64_t cs = 1ull << h->cluster_bits;
	uint64_t per_l1 = cs << (h->cluster_bits - 3); /* guest bytes one L2 table maps */
	int r;

	if (h->refcount_order > QCOW2_MAX_REFCOUNT_ORDER) {
		block_err(err, errlen, path, "refcount_order %u at offset 0x60 is out of range (0 to 6)",
			  h->refcount_order);
		return -EINVAL;
	}
	if (h->size > QCOW2_MAX_VIRTUAL_SIZE) {
		block_err(err, errlen, path, "virtual size %llu at offset 0x18 is beyond 64 PiB",
			  (unsigned long long)h->size);
		return -EINVAL;
	}
	if ((uint64_t)h->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
		block_err(err, errlen, path, "L1 table size %u at offset 0x24 is beyond 32 MiB",
			  h->l1_size);
		return -EINVAL;
	}
	if (h->l1_size < (h->size + per_l1 - 1) / per_l1) {
		block_err(err, errlen, path, "L1 table of %u entries is too small for the virtual size",
			  h->l1_size);
		return -EINVAL;
	}
	r = h->l1_size ? check_table("L1 table", h->l1_offset, (uint64_t)h->l1_size * 8, cs,
				     file_size, path, err, errlen) : 0;
	if (r < 0)
		return r;
	if (!h->reftable_clusters || (uint64_t)h->reftable_clusters * cs > QCOW2_MAX_REFTABLE_BYTES) {
		block_err(err, errlen, path, "refcount table of %u clusters at offset 0x38 is "
			  "invalid", h->reftable_clusters);
		return -EINVAL;
	}
	r = check_table("refcount table", h->reftable_offset, (uint64_t)h->reftable_clusters * cs,
			cs, file_size, path, err, errlen);
	if (r < 0 || !h->nb_snapshots)
		return r;
	/* We use no snapshot but the image's own, yet a snapshot table outside the file is corruption. */
	return check_table("snapshot table", h->snapshots_offset, 0, cs, file_size, path, err,
			   errlen);
}

/* Walk the header extensions in BUF[START, END), keeping what we use. */
static int parse_extensions(const uint8_t *buf, size_t start, size_t end, struct qcow2_header *h,
			    struct feature_table *ft, const char *path, char *err, size_t errlen)
{
	size_t off = start;

	while (end >= 8 && off <= end - 8) {
		uint32_t type = qcow2_be32(buf + off), len = qcow2_be32(buf + off + 4);

		if (type == QCOW2_EXT_END)
			return 0;
		if (len > end - off - 8) {
			block_err(err, errlen, path, "header extension 0x%08x at offset 0x%zx overruns "
				  "the header", type, off);
			return -EINVAL;
		}
		off += 8;
		if (type == QCOW2_EXT_BACKING_FORMAT) {
			if (len >= sizeof(h->backing_format) || memchr(buf + off, 0, len)) {
				block_err(err, errlen, path, "backing format name at offset 0x%zx is "
					  "invalid", off);
				return -EINVAL;
			}
			memcpy(h->backing_format, buf + off, len);
			h->backing_format[len] = 0;
		} else if (type == QCOW2_EXT_FEATURE_NAMES) {
			ft->data = buf + off;
			ft->len = len;
		}
		off += ((size_t)len + 7) & ~(size_t)7;
	}
	return 0;
}

/* Copy the backing file name out of the header cluster BUF (HLEN bytes). */
static int read_backing_name(const uint8_t *buf, size_t hlen, struct qcow2_header *h,
			     const char *path, char *err, size_t errlen)
{
	if (!h->backing_offset)
		return 0;
	if (!h->backing_len || h->backing_len > QCOW2_MAX_BACKING_NAME ||
	    h->backing_offset > hlen || h->backing_len > hlen - h->backing_offset) {
		block_err(err, errlen, path, "backing file name at offset 0x%llx (%u bytes) is "
			  "invalid", (unsigned long long)h->backing_offset, h->backing_len);
		return -EINVAL;
	}
	memcpy(h->backing, buf + h->backing_offset, h->backing_len);
	h->backing[h->backing_len] = 0;
	if (strlen(h->backing) != h->backing_len) {
		block_err(err, errlen, path, "backing file name at offset 0x%llx holds a NUL byte",
			  (unsigned long long)h->backing_offset);
		return -EINVAL;
	}
	return 0;
}

/* The features and extensions found in the header cluster BUF (HLEN bytes of it). */
static int check_features(const uint8_t *buf, size_t hlen, struct qcow2_header *h,
			  const char *path, char *err, size_t errlen)
{
	struct feature_table ft = { 0 };
	size_t ext_end = hlen;
	int r;

	if (h->backing_offset >= h->header_length && h->backing_offset < ext_end)
		ext_end = (size_t)h->backing_offset;
	r = parse_extensions(buf, h->header_length, ext_end, h, &ft, path, err, errlen);
	if (r < 0)
		return r;
	r = check_incompatible(h, &ft, path, err, errlen);
	if (r < 0)
		return r;
	if (h->header_length > HDR_COMPRESSION_TYPE && buf[HDR_COMPRESSION_TYPE]) {
		block_err(err, errlen, path, "compression type %u at offset 0x68 without its feature "
			  "bit", buf[HDR_COMPRESSION_TYPE]);
		return -EINVAL;
	}
	if (h->crypt_method) {
		block_err(err, errlen, path, "encrypted images are not supported (crypt_method %u)",
			  h->crypt_method);
		return -ENOTSUP;
	}
	return read_backing_name(buf, hlen, h, path, err, errlen);
}

int qcow2_header_read(int fd, const char *path, uint64_t file_size, struct qcow2_header *h,
		      char *err, size_t errlen)
{
	/* The header, its extensions and the backing file name: all within the first cluster. */
	size_t len = file_size < (1u << QCOW2_MAX_CLUSTER_BITS) ? (size_t)file_size
								: 1u << QCOW2_MAX_CLUSTER_BITS;
	uint8_t *buf = calloc(1, len > QCOW2_V3_HEADER_LEN ? len : QCOW2_V3_HEADER_LEN);
	int r;

	memset(h, 0, sizeof(*h));
	if (!buf) {
		block_err(err, errlen, path, "out of memory");
		return -ENOMEM;
	}
	r = block_fd_pread(fd, buf, len, 0, false);
	if (r < 0) {
		block_err(err, errlen, path, "cannot read the header: %s", strerror(-r));
		goto out;
	}
	r = check_basics(buf, file_size, h, path, err, errlen);
	if (r < 0)
		goto out;
	if (len > (size_t)1 << h->cluster_bits)
		len = (size_t)1 << h->cluster_bits;
	r = check_features(buf, len, h, path, err, errlen);
	if (r < 0)
		goto out;
	r = check_geometry(h, file_size, path, err, errlen);
out:
	free(buf);
	return r;
}
