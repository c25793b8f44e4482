/* Where a backing file named inside an image may be, and opening it without leaving that place. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend/block_impl.h"

/* The directories a backing file may be in: the image's own and the configured ones, two spellings each. */
#define ROOTS_MAX (2 + 2 * BLOCK_BACKING_DIRS_MAX)

/*
 * Normalize the absolute path IN into OUT lexically: no "." or empty
 * components, ".." drops the one before (never above "/"), no trailing
 * slash. Symlinks are not looked at: openat2() below sees to them.
 * Returns 0 or -ENAMETOOLONG.
 */
static int normalize(const char *in, char *out, size_t size)
{
	size_t len = 0;

	while (*in) {
		const char *c = in + strspn(in, "/");
		size_t n = strcspn(c, "/");

		in = c + n;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (len && out[--len] != '/')
				;
			continue;
		}
		if (len + 1 + n >= size)
			return -ENAMETOOLONG;
		out[len++] = '/';
		memcpy(out + len, c, n);
		len += n;
	}
	if (!len)
		out[len++] = '/';
	out[len] = 0;
	return 0;
}

/* The absolute, normalized directory that holds the image PATH (relative: to the working directory). */
static int image_dir(const char *path, char *out, size_t size)
{
	char buf[PATH_MAX * 2], cwd[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int n;

	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return -errno;
	n = snprintf(buf, sizeof(buf), "%s/%.*s", path[0] == '/' ? "" : cwd,
		     slash ? (int)(slash - path) : 0, path);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	return normalize(buf, out, size);
}

struct roots {
	char dir[ROOTS_MAX][PATH_MAX];
	unsigned n;
};

/* Add DIR (absolute) as it is spelt and as the file system resolves it. "/" is never implied. */
static void add_root(struct roots *r, const char *dir)
{
	char real[PATH_MAX];

	if (r->n + 2 > ROOTS_MAX || normalize(dir, r->dir[r->n], PATH_MAX) < 0)
		return;
	if (strcmp(r->dir[r->n], "/"))
		r->n++;
	if (realpath(dir, real) && strcmp(real, "/") && strcmp(real, r->dir[r->n - 1]))
		snprintf(r->dir[r->n++], PATH_MAX, "%s", real);
}

/* The part of the normalized absolute PATH below ROOT ("." for ROOT itself), or NULL. */
static const char *below(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path[n] ? path + n + 1 : ".";
}

/*
 * Open REST below the directory ROOT without leaving it on the way: no "..",
 * no absolute symlink, no symlink that resolves outside. O_NONBLOCK: a FIFO
 * must not hang us before fstat() refuses it.
 */
static int open_beneath(const char *root, const char *rest)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, e;

	if (dfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dfd, rest, &how, sizeof(how));
	e = errno;
	close(dfd);
	return fd < 0 ? -e : fd;
}

/* One line for ERR: why the backing file could not be opened. */
static void explain(int r, const char *image, const char *path, const char *root, char *err,
		    size_t errlen)
{
	if (r == -EXDEV)
		block_err(err, errlen, image, "backing file %s leaves %s through a symlink", path, root);
	else if (r == -ENOSYS)
		block_err(err, errlen, image, "backing file %s: this kernel lacks openat2() (Linux "
			  "5.6), which capsule needs to open backing files safely", path);
	else
		block_err(err, errlen, image, "backing file %s: %s", path, strerror(-r));
}

int block_backing_open(const char *image, const char *name, const char *const *dirs,
		       char *path, size_t pathlen, char *err, size_t errlen)
{
	static struct roots roots;	/* start-up only, one image at a time: kept off the stack */
	char dir[PATH_MAX], joined[PATH_MAX * 2];
	const char *rest = NULL;
	struct stat st;
	unsigned i;
	int r, fd;

	r = image_dir(image, dir, sizeof(dir));
	if (!r && snprintf(joined, sizeof(joined), "%s/%s", name[0] == '/' ? "" : dir, name) >=
			  (int)sizeof(joined))
		r = -ENAMETOOLONG;
	if (!r)
		r = normalize(joined, path, pathlen);
	if (r < 0) {
		block_err(err, errlen, image, "backing file %s: %s", name, strerror(-r));
		return r;
	}
	roots.n = 0;
	add_root(&roots, dir);
	for (i = 0; dirs && dirs[i]; i++)
		add_root(&roots, dirs[i]);
	for (i = 0; i < roots.n && !rest; i++)
		rest = below(path, roots.dir[i]);
	if (!rest) {
		block_err(err, errlen, image, "backing file %s is outside the image's directory %s "
			  "(and any backing_dirs)", path, dir);
		return -EPERM;
	}
	fd = open_beneath(roots.dir[i - 1], rest);
	if (fd < 0) {
		explain(fd, image, path, roots.dir[i - 1], err, errlen);
		return fd;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		block_err(err, errlen, image, "backing file %s is not a regular file", path);
		close(fd);
		return -EPERM;
	}
	return fd;
}
