/* The incremental ustar reader (copy-out): hostile bytes in, checked members out. */
#ifndef CAPSULE_TRANSFER_TAR_READ_H
#define CAPSULE_TRANSFER_TAR_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transfer/tar_format.h"

/* The most bytes of one pax header ('x') or GNU long name ('L', 'K') kept. */
#define TAR_META_MAX 16384

/* One member as the archive gives it: nothing checked but its syntax. */
struct tar_member {
	char type;			/* the header's type flag */
	const char *name;		/* the whole name: prefix, GNU 'L' or pax path applied */
	size_t name_len;		/* 1..TAR_NAME_MAX; no NUL inside */
	const char *link;		/* the link target ("" when none) */
	size_t link_len;		/* 0..TAR_NAME_MAX */
	unsigned mode;			/* & 07777 */
	int64_t mtime;
	uint64_t size;			/* its data, pax size applied */
};

/*
 * What the reader hands members to. begin() returns 1 to get the member's
 * data through data(), 0 to have it skipped, -1 to fail; data() and end()
 * (after the last of the data) return 0 or -1. A callback that fails writes
 * its one-line reason into the reader's ERR first.
 */
struct tar_read_ops {
	int (*begin)(void *ctx, const struct tar_member *m);
	int (*data)(void *ctx, const void *buf, size_t n);
	int (*end)(void *ctx);
};

enum tar_read_state { TAR_R_HEADER, TAR_R_DATA, TAR_R_END, TAR_R_FAILED };

/* Data blocks and where they go. */
enum tar_read_sink { TAR_SINK_SKIP, TAR_SINK_MEMBER, TAR_SINK_LONGNAME, TAR_SINK_LONGLINK,
		     TAR_SINK_PAX };

struct tar_reader {
	const struct tar_read_ops *ops;
	void *ctx;
	char *err;			/* the reason of the first failure, for the caller */
	size_t errlen;
	enum tar_read_state state;
	enum tar_read_sink sink;
	uint64_t offset;		/* bytes taken in so far, for messages */
	unsigned zero_blocks;		/* in a row: two end the archive */
	size_t fill;			/* of BLOCK */
	uint64_t left;			/* the current entry's data still to come */
	size_t pad;			/* then its padding */
	struct tar_member member;	/* the member whose data is coming */
	/* What meta entries said about the next member. */
	bool has_name, has_link, has_size, has_mtime;
	size_t name_len, link_len;
	uint64_t pax_size;
	int64_t pax_mtime;
	size_t meta_len;
	unsigned char block[TAR_BLOCK];
	char name[TAR_NAME_MAX + 1];
	char link[TAR_NAME_MAX + 1];
	char hdr_name[TAR_PREFIX_LEN + 1 + TAR_NAME_LEN + 1];
	char hdr_link[TAR_NAME_LEN + 1];
	char meta[TAR_META_MAX];
};

/* Start reading an archive; failures are described in ERR (ERRLEN bytes). */
void tar_read_init(struct tar_reader *r, const struct tar_read_ops *ops, void *ctx, char *err,
		   size_t errlen);

/* The next LEN bytes of the stream: all taken. 0, or -1 once anything failed (then or before). */
int tar_read_feed(struct tar_reader *r, const void *buf, size_t len);

/* The stream ended: 0 when it held a whole archive and nothing failed, else -1. */
int tar_read_finish(struct tar_reader *r);

/* Record why reading failed (the first reason sticks) and take no more. */
void tar_read_fail(struct tar_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parse the pax records in TEXT (N bytes) into R's overrides for the next
 * member: path, linkpath, size and mtime (its whole seconds); other keys are
 * ignored. 0, or -1 with R failed (tar_pax.c).
 */
int tar_pax_parse(struct tar_reader *r, const char *text, size_t n);

#endif
