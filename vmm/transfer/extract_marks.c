/* What copy-out remembers across members: the files it made (for hard links) and the directories whose modes wait for the end. */
#include "transfer/extract_marks.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct inode_set *s, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)dev * 0xc2b2ae3d27d4eb4full);

	return (size_t)(h >> 17) & (s->cap - 1);
}

static void insert(struct inode_set *s, dev_t dev, ino_t ino)
{
	size_t i = slot_of(s, dev, ino);

	while (s->slots[i].used && (s->slots[i].dev != dev || s->slots[i].ino != ino))
		i = (i + 1) & (s->cap - 1);
	if (!s->slots[i].used)
		s->count++;
	s->slots[i] = (struct inode_key){ dev, ino, true };
}

int inode_set_add(struct inode_set *s, dev_t dev, ino_t ino)
{
	/* At most half full: probes stay short. */
	if (2 * (s->count + 1) > s->cap) {
		struct inode_set bigger = { .cap = s->cap ? 2 * s->cap : 64 };

		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (!bigger.slots)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i].used)
				insert(&bigger, s->slots[i].dev, s->slots[i].ino);
		free(s->slots);
		*s = bigger;
	}
	insert(s, dev, ino);
	return 0;
}

bool inode_set_has(const struct inode_set *s, dev_t dev, ino_t ino)
{
	if (!s->cap)
		return false;
	for (size_t i = slot_of(s, dev, ino); s->slots[i].used; i = (i + 1) & (s->cap - 1))
		if (s->slots[i].dev == dev && s->slots[i].ino == ino)
			return true;
	return false;
}

void inode_set_free(struct inode_set *s)
{
	free(s->slots);
	*s = (struct inode_set){ 0 };
}

int pending_dirs_add(struct pending_dirs *d, unsigned route, const char *name, size_t rel,
		     unsigned mode, int64_t mtime)
{
	size_t len = strlen(name);
	unsigned depth = 1;
	char *copy;

	if (d->bytes + len + 1 > EXTRACT_DIR_NAMES_MAX)
		return -1;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct pending_dir *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	if (!(copy = strdup(name)))
		return -1;
	for (const char *p = name + rel; *p; p++)
		depth += *p == '/';
	d->v[d->n] = (struct pending_dir){ .route = route, .depth = depth, .seq = d->n, .mode = mode,
					   .mtime = mtime, .name = copy, .rel = rel };
	d->n++;
	d->bytes += len + 1;
	return 0;
}

static int deeper_first(const void *pa, const void *pb)
{
	const struct pending_dir *a = pa, *b = pb;

	if (a->depth != b->depth)
		return a->depth > b->depth ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void pending_dirs_sort(struct pending_dirs *d)
{
	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), deeper_first);
}

void pending_dirs_free(struct pending_dirs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	free(d->v);
	*d = (struct pending_dirs){ 0 };
}
