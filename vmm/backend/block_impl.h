/* Inside the block layer: how block.c reaches each image format, and what the formats share. */
#ifndef CAPSULE_BLOCK_IMPL_H
#define CAPSULE_BLOCK_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend/block.h"

/* Backing chains deeper than this are refused: each link holds an fd and caches. */
#define BLOCK_CHAIN_MAX_DEPTH 64

/* The images being opened, this one first, then the one it is the backing of, and so on. */
struct block_chain {
	dev_t dev;
	ino_t ino;
	unsigned depth;			/* 0 for the image the config names */
	const struct block_chain *above;
	const char *const *backing_dirs; /* block_open_options.backing_dirs, down the chain */
};

/* Write "PATH: MESSAGE" into ERR: one line, control characters shown as '?'. */
void block_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Open NAME, the backing file named inside IMAGE (the head of ABOVE),
 * read-only as FORMAT (AUTO: probe raw or qcow2), where block_backing_open()
 * allows. Refuses a chain that loops or is too deep. Returns 0 or -errno
 * with ERR set.
 */
int block_open_backing(const char *image, const char *name, enum block_format format,
		       const struct block_chain *above, struct block_backend **out, char *err,
		       size_t errlen);

/*
 * Open NAME, the backing file named inside the image IMAGE, read-only. A
 * relative NAME starts from the image's directory. The file must be a
 * regular file in the image's directory or below, or in one of DIRS
 * (NULL-terminated, may be NULL), reached without leaving that directory (no
 * "..", no symlink out of it): nothing an image says can make capsule read a
 * file it was not given a directory of. PATH receives the normalized absolute
 * name. Returns the fd, or -errno with ERR naming the image, the file and why.
 */
int block_backing_open(const char *image, const char *name, const char *const *dirs,
		       char *path, size_t pathlen, char *err, size_t errlen);

/* The format the first LEN bytes of an image make it probe as: qcow2 or raw. */
enum block_format block_probe(const uint8_t *head, size_t len);

/*
 * Open the raw image PATH on FD (taken over, closed on failure). PROBED: its
 * format was probed, so guest writes that would make it probe as anything
 * else are refused (-EPERM). 0 or -errno with ERR set.
 */
int disk_raw_open(const char *path, int fd, bool readonly, bool probed, struct block_backend **out,
		  char *err, size_t errlen);

struct qcow2_open_params {
	bool readonly;
	bool throwaway;			/* a snapshot overlay: nothing needs to be durable */
	struct block_backend *backing;	/* use this (taken over) instead of the image's own backing */
	const struct block_chain *chain; /* this image and those above it, for loop checks */
	unsigned l2_cache_entries;	/* 0: a default sized by the cluster size */
};

/*
 * Open the qcow2 image PATH on FD; FD and P->backing are taken over (closed
 * on failure). Returns 0 or -errno with ERR set.
 */
int qcow2_open(const char *path, int fd, const struct qcow2_open_params *p,
	       struct block_backend **out, char *err, size_t errlen);

/*
 * Write a new, empty qcow2 v3 image of SIZE bytes on FD (an empty file) whose
 * backing file is BACKING (an absolute path, at most 1023 bytes) in format
 * BACKING_FORMAT ("raw" or "qcow2"). PATH names it in messages. 0 or -errno with ERR set.
 */
int qcow2_create_overlay(int fd, const char *path, uint64_t size, const char *backing,
			 const char *backing_format, char *err, size_t errlen);

#endif
