/* Copy-out's file system side: every name resolved beneath a directory fd, never through a symlink. */
#include "transfer/extract_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RESOLVE_STRICT (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

static int open_beneath(int dir, const char *path, int flags, mode_t mode)
{
	/* RESOLVE_NO_SYMLINKS refuses a symlink at the end too (ELOOP, which says why). */
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
				.mode = flags & O_CREAT ? mode : 0, .resolve = RESOLVE_STRICT };
	long fd = syscall(SYS_openat2, dir, *path ? path : ".", &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/* Down PATH one name at a time from ROOT, making what is missing. */
static int walk_create(int root, const char *path)
{
	char name[256];
	int cur = open_beneath(root, "", O_PATH | O_DIRECTORY, 0);

	while (cur >= 0 && *path) {
		size_t len = strcspn(path, "/");
		int next;

		if (len >= sizeof(name)) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(name, path, len);
		name[len] = 0;
		path += len + (path[len] == '/');
		next = open_beneath(cur, name, O_PATH | O_DIRECTORY, 0);
		if (next == -ENOENT) {
			if (mkdirat(cur, name, 0777) < 0 && errno != EEXIST)
				next = -errno;
			else
				next = open_beneath(cur, name, O_PATH | O_DIRECTORY, 0);
		}
		close(cur);
		cur = next;
	}
	return cur;
}

int xfs_open_dir(int root, const char *path, bool create)
{
	int fd = open_beneath(root, path, O_PATH | O_DIRECTORY, 0);

	return fd == -ENOENT && create ? walk_create(root, path) : fd;
}

int xfs_open_dir_rw(int root, const char *path)
{
	return open_beneath(root, path, O_RDONLY | O_DIRECTORY, 0);
}

int xfs_remove(int dir, const char *name)
{
	if (unlinkat(dir, name, 0) == 0 || errno == ENOENT)
		return 0;
	/* Linux says EISDIR for a directory; POSIX allows EPERM. */
	if (errno == EISDIR || errno == EPERM) {
		struct stat st;

		if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			return -EISDIR;
		errno = EPERM;
	}
	return -errno;
}

int xfs_create(int dir, const char *name)
{
	int r = xfs_remove(dir, name);

	return r < 0 ? r : open_beneath(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
}

int xfs_mkdir(int dir, const char *name)
{
	struct stat st;
	int r;

	if (mkdirat(dir, name, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return 0;
	if ((r = xfs_remove(dir, name)) < 0)
		return r;
	return mkdirat(dir, name, 0700) < 0 ? -errno : 0;
}

int xfs_symlink(int dir, const char *name, const char *target)
{
	int r = xfs_remove(dir, name);

	if (r < 0)
		return r;
	return symlinkat(target, dir, name) < 0 ? -errno : 0;
}

int xfs_link(int old_dir, const char *old_name, int new_dir, const char *name,
	     bool (*is_ours)(void *ctx, dev_t dev, ino_t ino), void *ctx)
{
	struct stat st;
	int r;

	if (fstatat(old_dir, old_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !is_ours(ctx, st.st_dev, st.st_ino))
		return -EPERM;
	if ((r = xfs_remove(new_dir, name)) < 0)
		return r;
	/* No AT_SYMLINK_FOLLOW: OLD_NAME itself, which was just checked. */
	return linkat(old_dir, old_name, new_dir, name, 0) < 0 ? -errno : 0;
}

int xfs_set_mtime(int dir, const char *name, int64_t mtime)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = (time_t)mtime } };

	return utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

const char *xfs_strerror(int err)
{
	switch (-err) {
	case ELOOP:
		return "a symlink is in its path";
	case EXDEV:
		return "its path leads outside the directory";
	case ENOTDIR:
		return "a non-directory is in its path";
	case EISDIR:
		return "a directory is in the way";
	default:
		return strerror(-err);
	}
}
