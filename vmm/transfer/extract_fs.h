/* Copy-out's file system side: every name resolved beneath a directory fd, never through a symlink. */
#ifndef CAPSULE_TRANSFER_EXTRACT_FS_H
#define CAPSULE_TRANSFER_EXTRACT_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * All of these take a path relative to ROOT or a single name in DIR (no
 * '/', not "." or ".."), resolve it with openat2() and RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS (or act on one name in a
 * directory opened so), and return an fd or 0, or -errno.
 */

/*
 * The directory PATH ("" for ROOT itself) beneath ROOT, as an O_PATH fd;
 * with CREATE, missing directories on the way are made (mode 0777 less the
 * umask), one name at a time.
 */
int xfs_open_dir(int root, const char *path, bool create);

/* The directory PATH beneath ROOT opened for reading: its mode and times can be set through it. */
int xfs_open_dir_rw(int root, const char *path);

/* Remove what is at NAME in DIR unless it is a directory (-EISDIR); nothing there is 0. */
int xfs_remove(int dir, const char *name);

/* A new empty regular file NAME in DIR (after xfs_remove()), mode 0600, open for writing. */
int xfs_create(int dir, const char *name);

/* The directory NAME in DIR: made (mode 0700) unless one is there; another kind of file there is replaced. */
int xfs_mkdir(int dir, const char *name);

/* The symlink NAME -> TARGET in DIR (TARGET stored as is), replacing a non-directory there. */
int xfs_symlink(int dir, const char *name, const char *target);

/*
 * A hard link NAME in NEW_DIR to OLD_NAME in OLD_DIR, which must be a regular
 * file for which IS_OURS(ctx, dev, ino) says yes (else -EPERM), replacing a
 * non-directory at NAME.
 */
int xfs_link(int old_dir, const char *old_name, int new_dir, const char *name,
	     bool (*is_ours)(void *ctx, dev_t dev, ino_t ino), void *ctx);

/* Set the mtime of NAME in DIR, a symlink's own. 0 or -errno. */
int xfs_set_mtime(int dir, const char *name, int64_t mtime);

/* What -ERR means here, in words for a message. */
const char *xfs_strerror(int err);

#endif
