/* Copy-out's extractor: a hostile tar stream, fed as it arrives, becomes files beneath the routes' directories. */
#ifndef CAPSULE_TRANSFER_TAR_EXTRACT_H
#define CAPSULE_TRANSFER_TAR_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

/* Members one extraction takes at most, when the caller gives no other bound. */
#define TAR_EXTRACT_MEMBERS_DEFAULT (1u << 20)

/* Members named PREFIX or PREFIX/REL go to REL beneath DIR_FD ("" takes every name). */
struct tar_extract_route {
	const char *prefix;		/* normalized: no leading or trailing '/', no . or .. */
	int dir_fd;			/* a directory; stays the caller's */
};

struct tar_extract_config {
	const struct tar_extract_route *routes;
	unsigned nroutes;
	uint64_t max_bytes;		/* file data written at most; 0: no bound */
	uint64_t max_members;		/* 0: TAR_EXTRACT_MEMBERS_DEFAULT */
	const char *label;		/* starts the error line: "--copy-out /src/out:./out" */
};

struct tar_extract;

/*
 * An extraction (NULL: out of memory). A member goes under the route with
 * the longest prefix it starts with (whole names); members of no route are
 * skipped. Names are refused when empty, absolute or holding "..".
 * Regular files, directories, symlinks (their target stored as is) and hard
 * links to a regular file this extraction made under the same route are
 * made; other kinds, and hard links to anything else, are skipped and
 * counted. No name is ever resolved through a symlink or outside its
 * route's directory (extract_fs.h); a file is made anew (O_EXCL) after
 * what was at its name is removed, unless that is a directory (an error).
 * Modes keep 01777 (never set-id bits), owners are never changed, mtimes
 * are restored; directories get theirs at finish, deepest first.
 */
struct tar_extract *tar_extract_new(const struct tar_extract_config *cfg);

/*
 * The next LEN bytes of the stream, all taken. After the first failure
 * everything is taken and dropped, so that the writer never blocks.
 * 0, or -1 once anything failed.
 */
int tar_extract_feed(struct tar_extract *x, const void *buf, size_t len);

/*
 * The stream ended: directory modes are applied. 0 when the archive was
 * whole and everything in it was extracted or skipped, else -1 (a stream
 * without its end blocks is an error).
 */
int tar_extract_finish(struct tar_extract *x);

/*
 * The one-line reason of the first failure, without "capsule: " nor newline:
 * "LABEL: member 'NAME': why" or "LABEL: archive byte N: why"; "" if none.
 */
const char *tar_extract_error(const struct tar_extract *x);

/* Members skipped for their kind (devices, fifos...) or as hard links to what this copy did not make. */
uint64_t tar_extract_skipped(const struct tar_extract *x);

void tar_extract_free(struct tar_extract *x);

#endif
