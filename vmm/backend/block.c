/* Opening disk images: format detection, backing chains, and the throwaway snapshot overlay. */
#include "backend/block.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/block_impl.h"
#include "backend/block_io.h"

static const uint8_t qcow2_magic[4] = { 'Q', 'F', 'I', 0xfb };

void block_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return;
	n = snprintf(err, errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	/* Names from an image (its backing file's, say) may hold anything: keep to one harmless line. */
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* Refuse a file that is already in the chain above it, or a chain too deep. */
static int check_chain(const char *path, const struct stat *st, const struct block_chain *above,
		       char *err, size_t errlen)
{
	for (const struct block_chain *c = above; c; c = c->above) {
		if (c->dev == st->st_dev && c->ino == st->st_ino) {
			block_err(err, errlen, path, "backing chain loops back to this image");
			return -ELOOP;
		}
	}
	if (above && above->depth + 1 >= BLOCK_CHAIN_MAX_DEPTH) {
		block_err(err, errlen, path, "backing chain deeper than %d images", BLOCK_CHAIN_MAX_DEPTH);
		return -ELOOP;
	}
	return 0;
}

/*
 * Check FD, just opened for the image PATH: a regular file (or, for an image
 * the config names, a block device), not already in the chain ABOVE, then
 * locked against a concurrent writer and made blocking again (it was opened
 * O_NONBLOCK so that a FIFO cannot hang us). Closes FD on failure. Returns
 * FD or -errno with ERR set.
 */
static int check_image_fd(int fd, const char *path, bool readonly, const struct block_chain *above,
			  struct stat *st, char *err, size_t errlen)
{
	int r;

	if (fstat(fd, st) < 0 || !(S_ISREG(st->st_mode) || (S_ISBLK(st->st_mode) && !above))) {
		block_err(err, errlen, path, "not a regular file%s", above ? "" : " or block device");
		r = -EINVAL;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, 0) < 0) {
		r = -errno;
		block_err(err, errlen, path, "cannot clear O_NONBLOCK: %s", strerror(errno));
		goto fail;
	}
	/* Before locking: a loop would otherwise show as the image locking itself. */
	r = check_chain(path, st, above, err, errlen);
	if (r < 0)
		goto fail;
	if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		r = -errno;
		block_err(err, errlen, path, "%s", errno == EWOULDBLOCK ?
			  "in use by another process (locked)" : strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

enum block_format block_probe(const uint8_t *head, size_t len)
{
	if (len >= sizeof(qcow2_magic) && !memcmp(head, qcow2_magic, sizeof(qcow2_magic)))
		return BLOCK_FORMAT_QCOW2;
	return BLOCK_FORMAT_RAW;
}

/* The format of the image on FD: qcow2 when it starts with the qcow2 magic, else raw. */
static enum block_format detect_format(int fd)
{
	uint8_t magic[4];
	ssize_t n;

	do
		n = pread(fd, magic, sizeof(magic), 0);
	while (n < 0 && errno == EINTR);
	return block_probe(magic, n > 0 ? (size_t)n : 0);
}

/* What an image of a chain is opened with, besides its fd. */
struct image_spec {
	const char *path;
	enum block_format format;
	bool readonly;
	const struct block_chain *above;	/* the images it backs; NULL at the top */
	const char *const *backing_dirs;
};

/* Open the image on FD (taken over) as S says; *DETECTED: the format used. */
static int open_image_fd(int fd, const struct image_spec *s, enum block_format *detected,
			 struct block_backend **out, char *err, size_t errlen)
{
	struct block_chain self = { .above = s->above, .depth = s->above ? s->above->depth + 1 : 0,
				    .backing_dirs = s->backing_dirs };
	enum block_format format = s->format;
	struct stat st;

	fd = check_image_fd(fd, s->path, s->readonly, s->above, &st, err, errlen);
	if (fd < 0)
		return fd;
	self.dev = st.st_dev;
	self.ino = st.st_ino;
	if (format == BLOCK_FORMAT_AUTO)
		format = detect_format(fd);
	if (detected)
		*detected = format;
	if (format == BLOCK_FORMAT_RAW)
		return disk_raw_open(s->path, fd, s->readonly, s->format == BLOCK_FORMAT_AUTO, out, err,
				     errlen);
	return qcow2_open(s->path, fd, &(struct qcow2_open_params){ .readonly = s->readonly,
								    .chain = &self },
			  out, err, errlen);
}

/* Open the image the config names (the top of its chain). */
static int open_image(const struct image_spec *s, enum block_format *detected,
		      struct block_backend **out, char *err, size_t errlen)
{
	int fd = open(s->path, (s->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int r;

	if (fd < 0) {
		r = -errno;
		block_err(err, errlen, s->path, "cannot open: %s", strerror(errno));
		return r;
	}
	return open_image_fd(fd, s, detected, out, err, errlen);
}

int block_open_backing(const char *image, const char *name, enum block_format format,
		       const struct block_chain *above, struct block_backend **out, char *err,
		       size_t errlen)
{
	char path[PATH_MAX], inner[1024];
	struct image_spec s = { path, format, true, above, above->backing_dirs };
	int fd = block_backing_open(image, name, above->backing_dirs, path, sizeof(path), err,
				    errlen), r;

	if (fd < 0)
		return fd;
	/* Deeper down, a message passes up as it is: the image the config names, then the culprit. */
	if (above->depth > 0)
		return open_image_fd(fd, &s, NULL, out, err, errlen);
	r = open_image_fd(fd, &s, NULL, out, inner, sizeof(inner));
	if (r < 0)
		block_err(err, errlen, image, "backing file %s", inner);
	return r;
}

/*
 * A temporary file in DIR, already unlinked so that it vanishes when its fd
 * closes, however capsule ends, and seen to take a write: some file systems
 * (9p, as in tests/kvm-host) cannot write a file once it is unlinked.
 * Returns the fd or -errno.
 */
static int overlay_in(const char *dir)
{
	char name[PATH_MAX];
	int fd, r;

	if ((size_t)snprintf(name, sizeof(name), "%s/capsule-overlay-XXXXXX", dir) >= sizeof(name))
		return -ENAMETOOLONG;
	fd = mkostemp(name, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(name);
	r = block_fd_pwrite(fd, "", 1, 0);
	if (!r && ftruncate(fd, 0) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/*
 * The overlay's file: in $TMPDIR, else /var/tmp (on disk, unlike /tmp on
 * many hosts, since a guest may write a lot), else /tmp; each directory
 * that cannot hold one is named in the message if none can.
 */
static int overlay_file(const char *path, char *err, size_t errlen)
{
	const char *dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };
	char why[512] = "";
	size_t used = 0;
	int fd = -ENOENT;

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i] || !*dirs[i] || (i == 2 && dirs[0] && !strcmp(dirs[0], dirs[2])))
			continue;
		fd = overlay_in(dirs[i]);
		if (fd >= 0)
			return fd;
		used += (size_t)snprintf(why + used, sizeof(why) - used, "%s%s: %s", used ? "; " : "",
					 dirs[i], strerror(-fd));
		if (used >= sizeof(why))
			break;
	}
	block_err(err, errlen, path, "snapshot overlay: cannot write one in %s", why);
	return fd;
}

/* Open PATH read-only under a fresh writable overlay that nobody else will ever see. */
static int open_with_overlay(const char *path, const struct block_open_options *opts,
			     struct block_backend **out, char *err, size_t errlen)
{
	struct image_spec s = { path, opts->format, true, NULL, opts->backing_dirs };
	struct block_backend *base = NULL;
	enum block_format detected;
	char *abs = NULL;
	int fd = -1, r;

	r = open_image(&s, &detected, &base, err, errlen);
	if (r < 0)
		return r;
	/* The overlay names its backing file only for anyone inspecting it: we hand it BASE. */
	abs = realpath(path, NULL);
	if (!abs) {
		r = -errno;
		block_err(err, errlen, path, "cannot resolve the path: %s", strerror(errno));
		goto fail;
	}
	fd = overlay_file(path, err, errlen);
	if (fd < 0) {
		r = fd;
		goto fail;
	}
	r = qcow2_create_overlay(fd, path, base->size, abs,
				 detected == BLOCK_FORMAT_RAW ? "raw" : "qcow2", err, errlen);
	if (r < 0)
		goto fail;
	free(abs);
	return qcow2_open(path, fd, &(struct qcow2_open_params){ .throwaway = true, .backing = base },
			  out, err, errlen);
fail:
	if (fd >= 0)
		close(fd);
	free(abs);
	base->ops->close(base);
	return r;
}

int block_open(const char *path, const struct block_open_options *opts, struct block_backend **out,
	       char *err, size_t errlen)
{
	int r;

	struct image_spec s = { path, opts->format, opts->readonly, NULL, opts->backing_dirs };

	*out = NULL;
	if (opts->snapshot && !opts->readonly)
		r = open_with_overlay(path, opts, out, err, errlen);
	else
		r = open_image(&s, NULL, out, err, errlen);
	return r < 0 ? -1 : 0;
}
