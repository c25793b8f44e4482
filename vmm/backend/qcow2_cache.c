/* A small write-back cache of qcow2 metadata clusters (L2 tables, refcount blocks), LRU. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/block_io.h"
#include "backend/qcow2.h"

int qcow2_cache_init(struct qcow2_cache *c, unsigned n, int (*before_write)(struct qcow2_image *))
{
	memset(c, 0, sizeof(*c));
	c->entries = calloc(n, sizeof(*c->entries));
	if (!c->entries)
		return -ENOMEM;
	c->n = n;
	c->before_write = before_write;
	return 0;
}

void qcow2_cache_destroy(struct qcow2_cache *c)
{
	for (unsigned i = 0; c->entries && i < c->n; i++)
		free(c->entries[i].data);
	free(c->entries);
	c->entries = NULL;
}

/* Write E back, after what it points to when BEFORE (the owner's hook says what that takes). */
static int write_back(struct qcow2_image *img, struct qcow2_cache *c, struct qcow2_cache_entry *e,
		      bool before)
{
	int r = img->broken ? -EIO : 0;

	if (!r && before && c->before_write)
		r = c->before_write(img);
	if (!r)
		r = block_fd_pwrite(img->fd, e->data, img->cluster_size, e->offset);
	if (r < 0)
		return r;
	img->unsynced = true;
	e->dirty = false;
	return 0;
}

/* An empty slot, else the least recently used one. */
static struct qcow2_cache_entry *victim(struct qcow2_cache *c)
{
	struct qcow2_cache_entry *v = &c->entries[0];

	for (unsigned i = 0; i < c->n; i++) {
		if (!c->entries[i].offset)
			return &c->entries[i];
		if (c->entries[i].last_use < v->last_use)
			v = &c->entries[i];
	}
	return v;
}

int qcow2_cache_get(struct qcow2_image *img, struct qcow2_cache *c, uint64_t offset, bool fresh,
		    struct qcow2_cache_entry **out)
{
	struct qcow2_cache_entry *e = NULL;
	int r;

	for (unsigned i = 0; i < c->n && !e; i++)
		if (c->entries[i].offset == offset)
			e = &c->entries[i];
	if (!e) {
		e = victim(c);
		if (e->offset && e->dirty) {
			r = write_back(img, c, e, true);
			if (r < 0)
				return r;
		}
		e->offset = 0;
		if (!e->data && !(e->data = malloc(img->cluster_size)))
			return -ENOMEM;
		if (!fresh) {
			/* A table in the last, partly written cluster of the file: the rest is zeroes. */
			r = block_fd_pread(img->fd, e->data, img->cluster_size, offset, true);
			if (r < 0)
				return r;
		}
		e->offset = offset;
	}
	if (fresh) {
		memset(e->data, 0, img->cluster_size);
		e->dirty = true;
	}
	e->last_use = ++c->clock;
	*out = e;
	return 0;
}

int qcow2_cache_flush(struct qcow2_image *img, struct qcow2_cache *c)
{
	bool first = true;

	for (unsigned i = 0; i < c->n; i++) {
		struct qcow2_cache_entry *e = &c->entries[i];
		int r;

		if (!e->offset || !e->dirty)
			continue;
		/* The hook once: writing these entries changes nothing they depend on. */
		r = write_back(img, c, e, first);
		if (r < 0)
			return r;
		first = false;
	}
	return 0;
}
