/* qcow2 cluster mapping: the L1 and refcount tables, L2 entries and what they mean. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"

/* Read the table of N entries at OFFSET (checked by the header) into host byte order. */
static int load_table(struct qcow2_image *img, uint64_t offset, uint64_t n, uint64_t **out)
{
	uint64_t *t = calloc(n ? n : 1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	r = block_fd_pread(img->fd, t, n * sizeof(*t), offset, false);
	if (r < 0) {
		free(t);
		return r;
	}
	for (uint64_t i = 0; i < n; i++)
		t[i] = qcow2_be64((const uint8_t *)&t[i]);
	*out = t;
	return 0;
}

/* An L2 table or refcount block (entry I of table WHAT) must be a whole cluster inside the file. */
static int check_pointer(const struct qcow2_image *img, const char *what, uint64_t i,
			 const char *target, uint64_t off, char *err, size_t errlen)
{
	if (off & (img->cluster_size - 1)) {
		block_err(err, errlen, img->base.path, "%s at offset 0x%llx (%s entry %llu) is not "
			  "cluster-aligned", target, (unsigned long long)off, what,
			  (unsigned long long)i);
		return -EINVAL;
	}
	if (off < img->cluster_size || off >= img->alloc_end) {
		block_err(err, errlen, img->base.path, "%s at offset 0x%llx (%s entry %llu) is "
			  "outside the file", target, (unsigned long long)off, what,
			  (unsigned long long)i);
		return -EINVAL;
	}
	return 0;
}

static int check_l1(const struct qcow2_image *img, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < img->hdr.l1_size; i++) {
		uint64_t e = img->l1[i];
		int r;

		if (e & QCOW2_L1_RESERVED) {
			block_err(err, errlen, img->base.path, "L1 entry %u (at offset 0x%llx) has "
				  "reserved bits set: 0x%016llx", i,
				  (unsigned long long)(img->hdr.l1_offset + 8ull * i),
				  (unsigned long long)e);
			return -EINVAL;
		}
		e &= QCOW2_OFFSET_MASK;
		r = e ? check_pointer(img, "L1", i, "L2 table", e, err, errlen) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_reftable(const struct qcow2_image *img, char *err, size_t errlen)
{
	for (uint64_t i = 0; i < img->reftable_entries; i++) {
		uint64_t e = img->reftable[i];
		int r;

		if (e & QCOW2_REFTABLE_RESERVED) {
			block_err(err, errlen, img->base.path, "refcount table entry %llu (at offset "
				  "0x%llx) has reserved bits set: 0x%016llx", (unsigned long long)i,
				  (unsigned long long)(img->reftable_offset + 8 * i),
				  (unsigned long long)e);
			return -EINVAL;
		}
		r = e ? check_pointer(img, "refcount table", i, "refcount block", e, err, errlen) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

int qcow2_tables_load(struct qcow2_image *img, char *err, size_t errlen)
{
	int r;

	img->reftable_offset = img->hdr.reftable_offset;
	img->reftable_clusters = img->hdr.reftable_clusters;
	img->reftable_entries = ((uint64_t)img->reftable_clusters << img->cluster_bits) / 8;
	r = load_table(img, img->hdr.l1_offset, img->hdr.l1_size, &img->l1);
	if (!r)
		r = load_table(img, img->reftable_offset, img->reftable_entries, &img->reftable);
	if (r < 0) {
		block_err(err, errlen, img->base.path, "cannot read the L1 and refcount tables: %s",
			  strerror(-r));
		return r;
	}
	r = check_l1(img, err, errlen);
	return r ? r : check_reftable(img, err, errlen);
}

/* The L1 index of guest cluster VC, or -EIO past the table (the header check rules that out). */
static int l1_index(const struct qcow2_image *img, uint64_t vc, uint32_t *i)
{
	uint64_t l1i = vc >> img->l2_bits;

	if (l1i >= img->hdr.l1_size)
		return -EIO;
	*i = (uint32_t)l1i;
	return 0;
}

int qcow2_l2_get(struct qcow2_image *img, uint64_t vc, uint64_t *entry)
{
	struct qcow2_cache_entry *e;
	uint64_t l2;
	uint32_t i;
	int r = l1_index(img, vc, &i);

	*entry = 0;
	if (r < 0)
		return r;
	l2 = img->l1[i] & QCOW2_OFFSET_MASK;
	if (!l2)
		return 0;
	r = qcow2_cache_get(img, &img->l2_cache, l2, false, &e);
	if (r < 0)
		return r;
	*entry = qcow2_be64(e->data + 8 * (vc & ((1ull << img->l2_bits) - 1)));
	return 0;
}

int qcow2_l2_set(struct qcow2_image *img, uint64_t vc, uint64_t entry)
{
	struct qcow2_cache_entry *e;
	uint64_t l2;
	uint32_t i;
	bool fresh = false;
	int r = l1_index(img, vc, &i);

	if (r < 0)
		return r;
	l2 = img->l1[i] & QCOW2_OFFSET_MASK;
	if (!l2) {
		r = qcow2_alloc_cluster(img, &l2, NULL);
		/* Counted but not yet used should this fail: a leak, which is safe. */
		if (!r)
			r = qcow2_meta_add(img, l2);
		if (r < 0)
			return r;
		fresh = true;
		img->l1[i] = l2 | QCOW2_OFLAG_COPIED;
		qcow2_dirty_add(&img->l1_dirty_lo, &img->l1_dirty_hi, i);
	}
	r = qcow2_cache_get(img, &img->l2_cache, l2, fresh, &e);
	if (r < 0)
		return r;
	qcow2_put_be64(e->data + 8 * (vc & ((1ull << img->l2_bits) - 1)), entry);
	e->dirty = true;
	return 0;
}

/* A compressed cluster's descriptor: offset bits, then the count of extra 512-byte sectors. */
static int decode_compressed(const struct qcow2_image *img, uint64_t entry, struct qcow2_map *m)
{
	unsigned x = 62 - (img->cluster_bits - 8);
	uint64_t sectors = ((entry >> x) & ((1ull << (img->cluster_bits - 8)) - 1)) + 1;

	m->kind = QCOW2_COMPRESSED;
	m->host = entry & ((1ull << x) - 1);
	if (m->host >= QCOW2_MAX_HOST_OFFSET || m->host < img->cluster_size ||
	    m->host >= img->alloc_end)
		return -EIO;
	m->len = sectors * 512 - (m->host & 511);
	return 0;
}

int qcow2_decode(const struct qcow2_image *img, uint64_t entry, struct qcow2_map *m)
{
	memset(m, 0, sizeof(*m));
	m->entry = entry;
	if (entry & QCOW2_OFLAG_COMPRESSED)
		return decode_compressed(img, entry, m);
	if (entry & QCOW2_L2_RESERVED)
		return -EIO;
	m->host = entry & QCOW2_OFFSET_MASK;
	/* Host offsets must be whole clusters inside the file, and never the header. */
	if (m->host && ((m->host & (img->cluster_size - 1)) || m->host >= img->alloc_end))
		return -EIO;
	if (entry & QCOW2_OFLAG_ZERO)
		m->kind = QCOW2_ZERO;
	else if (m->host)
		m->kind = QCOW2_NORMAL;
	else if (entry & QCOW2_OFLAG_COPIED)
		return -EIO;	/* offset 0 is only for external data files */
	else
		m->kind = QCOW2_UNALLOCATED;
	return 0;
}

int qcow2_lookup(struct qcow2_image *img, uint64_t vc, struct qcow2_map *m)
{
	uint64_t entry;
	int r = qcow2_l2_get(img, vc, &entry);

	return r ? r : qcow2_decode(img, entry, m);
}
