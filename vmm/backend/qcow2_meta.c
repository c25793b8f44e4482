/* The set of a qcow2 image's metadata clusters: guest writes and the allocator keep out of it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/qcow2.h"

/* The smallest table; it doubles when half full, so probes stay short. */
#define MIN_SLOTS 64

static uint64_t slot_of(const struct qcow2_meta *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return (h ^ h >> 29) & m->mask;
}

/* The slot holding KEY, or the empty one where the probe for it ends. */
static uint64_t probe(const struct qcow2_meta *m, uint64_t key)
{
	uint64_t i = slot_of(m, key);

	while (m->slots[i] && m->slots[i] != key)
		i = (i + 1) & m->mask;
	return i;
}

static int grow(struct qcow2_meta *m)
{
	uint64_t n = m->slots ? (m->mask + 1) * 2 : MIN_SLOTS;
	struct qcow2_meta bigger = { .mask = n - 1, .count = m->count };

	bigger.slots = calloc(n, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (uint64_t i = 0; m->slots && i <= m->mask; i++)
		if (m->slots[i])
			bigger.slots[probe(&bigger, m->slots[i])] = m->slots[i];
	free(m->slots);
	*m = bigger;
	return 0;
}

int qcow2_meta_add(struct qcow2_image *img, uint64_t offset)
{
	struct qcow2_meta *m = &img->meta;
	uint64_t key = (offset >> img->cluster_bits) + 1, i;
	int r;

	if (!m->slots || (m->count + 1) * 2 > m->mask + 1) {
		r = grow(m);
		if (r < 0)
			return r;
	}
	i = probe(m, key);
	if (m->slots[i])
		return -EEXIST;
	m->slots[i] = key;
	m->count++;
	return 0;
}

bool qcow2_meta_has(const struct qcow2_image *img, uint64_t offset)
{
	const struct qcow2_meta *m = &img->meta;

	return m->slots && m->slots[probe(m, (offset >> img->cluster_bits) + 1)];
}

void qcow2_meta_remove(struct qcow2_image *img, uint64_t offset)
{
	struct qcow2_meta *m = &img->meta;
	uint64_t i, j;

	if (!m->slots)
		return;
	i = probe(m, (offset >> img->cluster_bits) + 1);
	if (!m->slots[i])
		return;
	m->slots[i] = 0;
	m->count--;
	/* Close the gap: move back each later key of the run that the hole would hide from its probe. */
	for (j = (i + 1) & m->mask; m->slots[j]; j = (j + 1) & m->mask) {
		uint64_t home = slot_of(m, m->slots[j]);

		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j] = 0;
			i = j;
		}
	}
}

void qcow2_meta_destroy(struct qcow2_image *img)
{
	free(img->meta.slots);
	img->meta = (struct qcow2_meta){ 0 };
}

/* Add the clusters of [OFFSET, OFFSET + BYTES); on a clash, *AT is the cluster already there. */
static int load(struct qcow2_image *img, uint64_t offset, uint64_t bytes, uint64_t *at)
{
	for (*at = offset; *at < offset + bytes; *at += img->cluster_size) {
		int r = qcow2_meta_add(img, *at);

		if (r < 0)
			return r;
	}
	return 0;
}

/* The message for error R while loading cluster AT, which WHAT (entry I of it, unless -1) names. */
static int load_error(const struct qcow2_image *img, int r, uint64_t at, const char *what,
		      int64_t i, char *err, size_t errlen)
{
	char entry[32] = "";

	if (r != -EEXIST) {
		block_err(err, errlen, img->base.path, "out of memory");
		return r;
	}
	if (i >= 0)
		snprintf(entry, sizeof(entry), " entry %lld", (long long)i);
	block_err(err, errlen, img->base.path, "cluster at offset 0x%llx (%s%s) overlaps "
		  "other metadata", (unsigned long long)at, what, entry);
	return -EINVAL;
}

int qcow2_meta_load(struct qcow2_image *img, char *err, size_t errlen)
{
	uint64_t cs = img->cluster_size, at;
	int r;

	if ((r = load(img, 0, cs, &at)) < 0)
		return load_error(img, r, at, "the header", -1, err, errlen);
	if ((r = load(img, img->hdr.l1_offset, (uint64_t)img->hdr.l1_size * 8, &at)) < 0)
		return load_error(img, r, at, "part of the L1 table", -1, err, errlen);
	r = load(img, img->reftable_offset, (uint64_t)img->reftable_clusters << img->cluster_bits,
		 &at);
	if (r < 0)
		return load_error(img, r, at, "part of the refcount table", -1, err, errlen);
	for (uint32_t i = 0; i < img->hdr.l1_size; i++)
		if ((img->l1[i] & QCOW2_OFFSET_MASK) &&
		    (r = load(img, img->l1[i] & QCOW2_OFFSET_MASK, cs, &at)) < 0)
			return load_error(img, r, at, "the L2 table of L1", i, err, errlen);
	for (uint64_t i = 0; i < img->reftable_entries; i++)
		if (img->reftable[i] && (r = load(img, img->reftable[i], cs, &at)) < 0)
			return load_error(img, r, at, "the refcount block of refcount table",
					  (int64_t)i, err, errlen);
	return 0;
}
