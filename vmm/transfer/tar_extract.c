/* Copy-out's extractor: a hostile tar stream, fed as it arrives, becomes files beneath the routes' directories. */
#include "transfer/tar_extract.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer/extract_fs.h"
#include "transfer/extract_marks.h"
#include "transfer/extract_path.h"
#include "transfer/tar_read.h"

struct tar_extract {
	struct tar_extract_config cfg;
	struct tar_reader reader;
	uint64_t members, bytes, skipped;
	int fd;				/* the regular file being written, or -1 */
	int fd_dir;			/* its directory (O_PATH), to remove it if it stays partial */
	char fd_name[256];		/* its name there */
	unsigned mode;			/* its mode and mtime, set when it is whole */
	int64_t mtime;
	const struct tar_member *member;	/* the member being handled, for messages */
	struct inode_set made;
	struct pending_dirs dirs;
	char why[512];			/* the reader's reason */
	char line[768];			/* "LABEL: " + WHY */
	char path[TAR_NAME_MAX + 1];	/* the member's name, normalized */
	char link[TAR_NAME_MAX + 1];	/* a hard link's target, normalized */
};

/* Fail with "member 'NAME': WHY", NAME as the archive gave it. */
static int refuse(struct tar_extract *x, const char *why)
{
	char shown[256];

	tar_printable(shown, sizeof(shown), x->member->name, x->member->name_len);
	tar_read_fail(&x->reader, "member '%s': %s", shown, why);
	return -1;
}

static int refuse_errno(struct tar_extract *x, const char *what, int err)
{
	char why[160];

	snprintf(why, sizeof(why), "%s: %s", what, xfs_strerror(err));
	return refuse(x, why);
}

/*
 * The directory that will hold REL (inside x->path), made when missing,
 * and REL's last name in *BASE. An fd, or -errno.
 */
static int open_parent(struct tar_extract *x, int root, char *rel, const char **base, bool create)
{
	char *slash = strrchr(rel, '/');
	int fd;

	if (!slash) {
		*base = rel;
		return xfs_open_dir(root, "", false);
	}
	*slash = 0;
	fd = xfs_open_dir(root, rel, create);
	*slash = '/';
	*base = slash + 1;
	return fd;
}

static int begin_file(struct tar_extract *x, const struct tar_member *m, int root, char *rel)
{
	const char *base;
	struct stat st;
	int dir, fd;

	if (x->cfg.max_bytes && m->size > x->cfg.max_bytes - x->bytes) {
		char why[96];

		snprintf(why, sizeof(why), "over the budget of %llu bytes",
			 (unsigned long long)x->cfg.max_bytes);
		return refuse(x, why);
	}
	if ((dir = open_parent(x, root, rel, &base, true)) < 0)
		return refuse_errno(x, "cannot open its directory", dir);
	fd = strlen(base) < sizeof(x->fd_name) ? xfs_create(dir, base) : -ENAMETOOLONG;
	if (fd < 0) {
		close(dir);
		return refuse_errno(x, "cannot create it", fd);
	}
	x->fd = fd;
	x->fd_dir = dir;
	strcpy(x->fd_name, base);
	if (fstat(fd, &st) < 0 || inode_set_add(&x->made, st.st_dev, st.st_ino) < 0)
		return refuse_errno(x, "cannot create it", -errno);
	x->mode = m->mode;
	x->mtime = m->mtime;
	return 1;
}

static int begin_dir(struct tar_extract *x, const struct tar_member *m, unsigned route, int root,
		     char *rel)
{
	const char *base;
	int dir, r;

	if (!*rel)
		return 0;	/* the route's own directory stays as the user has it */
	if ((dir = open_parent(x, root, rel, &base, true)) < 0)
		return refuse_errno(x, "cannot open its directory", dir);
	r = xfs_mkdir(dir, base);
	close(dir);
	if (r < 0)
		return refuse_errno(x, "cannot make it", r);
	if (pending_dirs_add(&x->dirs, route, x->path, (size_t)(rel - x->path), m->mode, m->mtime) < 0)
		return refuse(x, "too many directories to remember");
	return 0;
}

static int begin_symlink(struct tar_extract *x, const struct tar_member *m, int root, char *rel)
{
	const char *base;
	int dir, r;

	if (!m->link_len)
		return refuse(x, "a symlink to an empty name");
	if ((dir = open_parent(x, root, rel, &base, true)) < 0)
		return refuse_errno(x, "cannot open its directory", dir);
	r = xfs_symlink(dir, base, m->link);
	if (r == 0)
		r = xfs_set_mtime(dir, base, m->mtime);
	close(dir);
	return r < 0 ? refuse_errno(x, "cannot make it", r) : 0;
}

static bool made_here(void *ctx, dev_t dev, ino_t ino)
{
	return inode_set_has(&((struct tar_extract *)ctx)->made, dev, ino);
}

/* A hard link: made only to a regular file this extraction made under the same route; else skipped. */
static int begin_hardlink(struct tar_extract *x, const struct tar_member *m, unsigned route,
			  int root, char *rel)
{
	const char *why = extract_normalize(m->link, m->link_len, x->link), *base, *old_base;
	size_t old_rel;
	int dir, old_dir, r;

	if (why)
		return refuse(x, why[0] == '\'' ? "a hard link with '..' in its target"
			      : "a hard link to an absolute or empty name");
	if (extract_find_route(x->cfg.routes, x->cfg.nroutes, x->link, &old_rel) != (int)route || !x->link[old_rel] ||
	    !strcmp(x->link + old_rel, rel)) {
		x->skipped++;
		return 0;
	}
	if ((old_dir = open_parent(x, root, x->link + old_rel, &old_base, false)) < 0) {
		x->skipped++;
		return 0;
	}
	if ((dir = open_parent(x, root, rel, &base, true)) < 0) {
		close(old_dir);
		return refuse_errno(x, "cannot open its directory", dir);
	}
	r = xfs_link(old_dir, old_base, dir, base, made_here, x);
	close(dir);
	close(old_dir);
	if (r == -EPERM || r == -ENOENT) {
		x->skipped++;
		return 0;
	}
	return r < 0 ? refuse_errno(x, "cannot link it", r) : 0;
}

static int begin(void *ctx, const struct tar_member *m)
{
	struct tar_extract *x = ctx;
	const char *why;
	size_t rel;
	int route, root;

	x->member = m;
	if (++x->members > x->cfg.max_members)
		return refuse(x, "more members than allowed");
	if ((why = extract_normalize(m->name, m->name_len, x->path)))
		return refuse(x, why);
	if ((route = extract_find_route(x->cfg.routes, x->cfg.nroutes, x->path, &rel)) < 0)
		return 0;
	root = x->cfg.routes[route].dir_fd;
	if (!x->path[rel] && m->type != TAR_DIR)
		return refuse(x, "the top of the copy is not a directory");
	switch (m->type) {
	case TAR_REG:
	case TAR_REG_OLD:
	case TAR_CONTIG:
		return begin_file(x, m, root, x->path + rel);
	case TAR_DIR:
		return begin_dir(x, m, (unsigned)route, root, x->path + rel);
	case TAR_SYMLINK:
		return begin_symlink(x, m, root, x->path + rel);
	case TAR_HARDLINK:
		return begin_hardlink(x, m, (unsigned)route, root, x->path + rel);
	default:
		x->skipped++;	/* devices, fifos, what tar kinds we do not know */
		return 0;
	}
}

static int data(void *ctx, const void *buf, size_t n)
{
	struct tar_extract *x = ctx;
	const char *p = buf;

	while (n) {
		ssize_t w = write(x->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return refuse_errno(x, "cannot write it", w < 0 ? -errno : -EIO);
		p += w;
		n -= (size_t)w;
		x->bytes += (uint64_t)w;
	}
	return 0;
}

static int end(void *ctx)
{
	struct tar_extract *x = ctx;
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = (time_t)x->mtime } };
	int r = fchmod(x->fd, x->mode & 01777) < 0 || futimens(x->fd, ts) < 0 ? -errno : 0;

	if (close(x->fd) < 0 && !r)
		r = -errno;
	close(x->fd_dir);
	x->fd = x->fd_dir = -1;
	return r < 0 ? refuse_errno(x, "cannot finish it", r) : 0;
}

/* A file the stream broke off in, or that failed: removed, so that no partial file looks whole. */
static void drop_partial(struct tar_extract *x)
{
	if (x->fd < 0)
		return;
	close(x->fd);
	unlinkat(x->fd_dir, x->fd_name, 0);
	close(x->fd_dir);
	x->fd = x->fd_dir = -1;
}

static const struct tar_read_ops ops = { begin, data, end };

struct tar_extract *tar_extract_new(const struct tar_extract_config *cfg)
{
	struct tar_extract *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->cfg = *cfg;
	if (!x->cfg.max_members)
		x->cfg.max_members = TAR_EXTRACT_MEMBERS_DEFAULT;
	x->fd = x->fd_dir = -1;
	tar_read_init(&x->reader, &ops, x, x->why, sizeof(x->why));
	return x;
}

static void compose(struct tar_extract *x)
{
	if (x->why[0] && !x->line[0])
		snprintf(x->line, sizeof(x->line), "%s: %s", x->cfg.label, x->why);
}

int tar_extract_feed(struct tar_extract *x, const void *buf, size_t len)
{
	int r = tar_read_feed(&x->reader, buf, len);

	if (r < 0)
		drop_partial(x);
	compose(x);
	return r;
}

/* Each remembered directory's mode and mtime, deepest first, through a fresh strict lookup. */
static void apply_dirs(struct tar_extract *x)
{
	pending_dirs_sort(&x->dirs);
	for (size_t i = 0; i < x->dirs.n; i++) {
		const struct pending_dir *d = &x->dirs.v[i];
		struct tar_member named = { .name = d->name, .name_len = strlen(d->name) };
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = (time_t)d->mtime } };
		int fd = xfs_open_dir_rw(x->cfg.routes[d->route].dir_fd, d->name + d->rel), r = 0;

		if (fd < 0)
			r = fd;
		else if (fchmod(fd, d->mode & 01777) < 0 || futimens(fd, ts) < 0)
			r = -errno;
		if (fd >= 0)
			close(fd);
		if (r < 0) {
			x->member = &named;
			refuse_errno(x, "cannot set its mode", r);
			x->member = NULL;
			return;
		}
	}
}

int tar_extract_finish(struct tar_extract *x)
{
	int r = tar_read_finish(&x->reader);

	drop_partial(x);
	if (r == 0)
		apply_dirs(x);
	compose(x);
	return x->why[0] ? -1 : 0;
}

const char *tar_extract_error(const struct tar_extract *x)
{
	return x->line;
}

uint64_t tar_extract_skipped(const struct tar_extract *x)
{
	return x->skipped;
}

void tar_extract_free(struct tar_extract *x)
{
	if (!x)
		return;
	drop_partial(x);
	inode_set_free(&x->made);
	pending_dirs_free(&x->dirs);
	free(x);
}
