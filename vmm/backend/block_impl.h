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
};

/* Write "PATH: MESSAGE" into ERR: one line, control characters shown as '?'. */
void block_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Open PATH, the backing file of the image at the head of ABOVE, read-only,
 * as FORMAT (AUTO: detect). Refuses a chain that loops or is too deep.
 * Returns 0 or -errno with ERR set.
 */
int block_open_backing(const char *path, enum block_format format, const struct block_chain *above,
		       struct block_backend **out, char *err, size_t errlen);

/* Open the raw image PATH on FD (taken over, closed on failure). 0 or -errno with ERR set. */
int disk_raw_open(const char *path, int fd, bool readonly, struct block_backend **out, char *err,
		  size_t errlen);

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
