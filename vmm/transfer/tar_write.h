/* The ustar writer (copy-in): headers, long names and file data, buffered onto one fd. */
#ifndef CAPSULE_TRANSFER_TAR_WRITE_H
#define CAPSULE_TRANSFER_TAR_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TAR_WRITE_BUF (64 * 1024)

/*
 * One stream. Every header carries the same UID and GID (the guest user
 * who will own the files) and empty user and group names, so that busybox
 * tar, extracting as root, uses the numbers. Names and link targets longer
 * than a header holds go before it in GNU 'L'/'K' entries, as busybox
 * writes and reads them.
 */
struct tar_writer {
	int fd;				/* blocking */
	uid_t uid;
	gid_t gid;
	bool broken;			/* a write to FD failed: nothing more is written */
	int err;			/* its errno */
	size_t fill;
	unsigned char buf[TAR_WRITE_BUF];
};

/* What one member is: its mode and mtime come from the caller's stat. */
struct tar_entry {
	char type;			/* TAR_REG, TAR_DIR, TAR_SYMLINK */
	const char *name;		/* a directory's ends with '/' */
	size_t name_len;
	const char *link;		/* a symlink's target */
	size_t link_len;
	unsigned mode;			/* & 07777 */
	int64_t mtime;			/* clamped to 0..8^11-1 */
	uint64_t size;			/* a regular file's */
};

void tar_writer_init(struct tar_writer *w, int fd, uid_t uid, gid_t gid);

/* The header(s) of E; a regular file's data follows with tar_writer_data(). 0 or -1 (broken). */
int tar_writer_header(struct tar_writer *w, const struct tar_entry *e);

/* N bytes of the current file's data. 0 or -1. */
int tar_writer_data(struct tar_writer *w, const void *data, size_t n);

/* N zero bytes of data (a file that shrank while read), then nothing: 0 or -1. */
int tar_writer_zeros(struct tar_writer *w, uint64_t n);

/* Zeros up to the next block, after a file of SIZE bytes. 0 or -1. */
int tar_writer_pad(struct tar_writer *w, uint64_t size);

/* The two zero blocks that end the archive, and everything buffered out. 0 or -1. */
int tar_writer_end(struct tar_writer *w);

#endif
