/* What copy-out remembers across members: the files it made (for hard links) and the directories whose modes wait for the end. */
#ifndef CAPSULE_TRANSFER_EXTRACT_MARKS_H
#define CAPSULE_TRANSFER_EXTRACT_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The most bytes of directory names kept for the end. */
#define EXTRACT_DIR_NAMES_MAX (64u << 20)

/* The regular files this extraction made, by device and inode: a hash set. */
struct inode_set {
	struct inode_key { dev_t dev; ino_t ino; bool used; } *slots;
	size_t cap, count;		/* cap: a power of two, or 0 */
};

/* 0, or -1 out of memory. */
int inode_set_add(struct inode_set *s, dev_t dev, ino_t ino);
bool inode_set_has(const struct inode_set *s, dev_t dev, ino_t ino);
void inode_set_free(struct inode_set *s);

/* A directory whose mode and mtime are set at the end. */
struct pending_dir {
	unsigned route;
	unsigned depth;			/* names in REL: the deepest go first */
	size_t seq;			/* arrival order, among equals */
	unsigned mode;
	int64_t mtime;
	char *name;			/* the member's name (for messages) */
	size_t rel;			/* where the path below the route starts in NAME */
};

struct pending_dirs {
	struct pending_dir *v;
	size_t n, cap, bytes;
};

/* Keep one (NAME is copied). 0, -1 out of memory or past EXTRACT_DIR_NAMES_MAX. */
int pending_dirs_add(struct pending_dirs *d, unsigned route, const char *name, size_t rel,
		     unsigned mode, int64_t mtime);

/* Deepest first; in arrival order at the same depth (a directory given twice: the last word wins). */
void pending_dirs_sort(struct pending_dirs *d);
void pending_dirs_free(struct pending_dirs *d);

#endif
