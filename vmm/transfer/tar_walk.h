/* Copy-in's walk: host directory trees, read through directory fds, become one tar stream. */
#ifndef CAPSULE_TRANSFER_TAR_WALK_H
#define CAPSULE_TRANSFER_TAR_WALK_H

#include "transfer/tar_write.h"

/* How deep a tree may go: each level holds one directory fd while below it. */
#define TAR_WALK_DEPTH_MAX 256

/* The most entries one directory may have (their names are sorted in memory). */
#define TAR_WALK_DIR_ENTRIES_MAX (1u << 22)

/*
 * Write the tree of the open directory DIR_FD into W: a directory entry for
 * PREFIX itself when PREFIX is not empty (with DIR_FD's mode and mtime),
 * then every entry below it, named PREFIX/REL (REL alone for an empty
 * PREFIX), in byte order of names at each level. Regular files, directories
 * and symlinks (never followed: everything is opened O_NOFOLLOW relative to
 * its directory's fd); anything else is skipped with a warning line naming
 * HOST (the directory's path, for messages) and LABEL. A file whose size
 * changes while read is written at the size its header gave, with a
 * warning. Problems with single entries (unreadable, vanished) are
 * reported and the walk goes on. Returns 0 when everything went in, 1 when
 * some entries were left out for a reason other than their type, -1 when
 * the stream itself broke (W->err says why) or the walk could not go on.
 */
int tar_walk(struct tar_writer *w, int dir_fd, const char *prefix, const char *host,
	     const char *label);

#endif
