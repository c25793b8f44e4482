/* Copy-in's walk: host directory trees, read through directory fds, become one tar stream. */
#include "transfer/tar_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "transfer/tar_format.h"

#define READ_CHUNK (64 * 1024)

struct walk {
	struct tar_writer *w;
	const char *host, *label;
	size_t rel;			/* where the part below the prefix starts in PATH */
	int status;			/* 0, or 1 once something was left out */
	char path[TAR_NAME_MAX + 2];	/* the member name being written, room for a '/' */
	unsigned char data[READ_CHUNK];
};

/* One line about the entry at K->path: "capsule: LABEL: 'HOST/REL': WHY". */
static void warn(const struct walk *k, const char *why)
{
	const char *rel = k->path + k->rel + (k->path[k->rel] == '/');
	char shown[256];

	tar_printable(shown, sizeof(shown), rel, strlen(rel));
	log_error("%s: '%s%s%s': %s", k->label, k->host, *rel ? "/" : "", shown, why);
}

static void fail_entry(struct walk *k, const char *what, int err)
{
	char why[128];

	snprintf(why, sizeof(why), "left out: %s: %s", what, strerror(err));
	warn(k, why);
	k->status = 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in DIR but . and .., sorted; NULL with *N = 0 and errno on failure. */
static char **read_names(DIR *dir, size_t *n)
{
	size_t cap = 0;
	char **names = NULL;
	struct dirent *d;

	*n = 0;
	errno = 0;
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (*n == TAR_WALK_DIR_ENTRIES_MAX) {
			errno = EFBIG;
			break;
		}
		if (*n == cap) {
			char **more = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (!more)
				break;
			names = more;
		}
		if (!(names[*n] = strdup(d->d_name)))
			break;
		++*n;
		errno = 0;
	}
	if (errno) {
		int e = errno;

		free_names(names, *n);
		*n = 0;
		errno = e;
		return NULL;
	}
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

static int put_header(struct walk *k, char type, const struct stat *st, const char *link,
		      size_t link_len)
{
	struct tar_entry e = {
		.type = type, .name = k->path, .name_len = strlen(k->path), .link = link,
		.link_len = link_len, .mode = st->st_mode & 07777, .mtime = st->st_mtime,
		.size = type == TAR_REG ? (uint64_t)st->st_size : 0,
	};

	return tar_writer_header(k->w, &e);
}

/* The file's data, exactly ST's size of it whatever happens to the file meanwhile. */
static int put_data(struct walk *k, int fd, const struct stat *st)
{
	uint64_t size = (uint64_t)st->st_size, done = 0;
	ssize_t n;

	while (done < size) {
		size_t want = size - done < READ_CHUNK ? (size_t)(size - done) : READ_CHUNK;

		n = read(fd, k->data, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				fail_entry(k, "read (the rest is zeros)", errno);
			else
				warn(k, "shrank while read: the rest is zeros");
			break;
		}
		if (tar_writer_data(k->w, k->data, (size_t)n) < 0)
			return -1;
		done += (uint64_t)n;
	}
	if (tar_writer_zeros(k->w, size - done) < 0)
		return -1;
	if (done == size) {
		do
			n = read(fd, k->data, 1);
		while (n < 0 && errno == EINTR);
		if (n > 0)
			warn(k, "grew while read: copied at its first size");
	}
	return tar_writer_pad(k->w, size);
}

static int put_file(struct walk *k, int dir_fd, const char *name, const struct stat *seen)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0) {
		fail_entry(k, "open", errno);
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != seen->st_ino) {
		close(fd);
		warn(k, "left out: changed while read");
		k->status = 1;
		return 0;
	}
	r = put_header(k, TAR_REG, &st, NULL, 0) < 0 ? -1 : put_data(k, fd, &st);
	close(fd);
	return r;
}

static int put_symlink(struct walk *k, int dir_fd, const char *name, const struct stat *st)
{
	char target[TAR_NAME_MAX + 1];
	ssize_t n = readlinkat(dir_fd, name, target, sizeof(target));

	if (n < 0) {
		fail_entry(k, "readlink", errno);
		return 0;
	}
	if ((size_t)n >= sizeof(target)) {
		fail_entry(k, "readlink", ENAMETOOLONG);
		return 0;
	}
	return put_header(k, TAR_SYMLINK, st, target, (size_t)n);
}

static int walk_dir(struct walk *k, int fd, unsigned depth);

/* A directory: its entry (name ending in '/'), then what is in it. */
static int put_dir(struct walk *k, int dir_fd, const char *name, unsigned depth)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	size_t len = strlen(k->path);
	struct stat st;
	int r;

	if (fd < 0) {
		fail_entry(k, "open", errno);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		fail_entry(k, "stat", errno);
		close(fd);
		return 0;
	}
	if (depth >= TAR_WALK_DEPTH_MAX) {
		fail_entry(k, "walk", ELOOP);
		close(fd);
		return 0;
	}
	strcpy(k->path + len, "/");
	r = put_header(k, TAR_DIR, &st, NULL, 0);
	k->path[len] = 0;
	return r < 0 ? (close(fd), -1) : walk_dir(k, fd, depth + 1);
}

static int put_entry(struct walk *k, int dir_fd, const char *name, unsigned depth)
{
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		fail_entry(k, "stat", errno);
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return put_file(k, dir_fd, name, &st);
	if (S_ISDIR(st.st_mode))
		return put_dir(k, dir_fd, name, depth);
	if (S_ISLNK(st.st_mode))
		return put_symlink(k, dir_fd, name, &st);
	warn(k, S_ISFIFO(st.st_mode) ? "skipped: a fifo" : S_ISSOCK(st.st_mode) ? "skipped: a socket"
		: "skipped: a device node");
	return 0;
}

/* Everything in the directory FD (taken over and closed), K->path naming it. */
static int walk_dir(struct walk *k, int fd, unsigned depth)
{
	size_t len = strlen(k->path), n;
	DIR *dir = fdopendir(fd);
	char **names;
	int r = 0;

	if (!dir) {
		fail_entry(k, "opendir", errno);
		close(fd);
		return 0;
	}
	names = read_names(dir, &n);
	if (!names && errno) {
		fail_entry(k, "readdir", errno);
		closedir(dir);
		return 0;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		size_t add = strlen(names[i]) + (len ? 1 : 0);

		if (len + add > TAR_NAME_MAX) {
			snprintf(k->path + len, sizeof(k->path) - len, "/...");
			fail_entry(k, names[i], ENAMETOOLONG);
		} else {
			snprintf(k->path + len, sizeof(k->path) - len, "%s%s", len ? "/" : "", names[i]);
			r = put_entry(k, dirfd(dir), names[i], depth);
		}
		k->path[len] = 0;
	}
	free_names(names, n);
	closedir(dir);
	return r;
}

int tar_walk(struct tar_writer *w, int dir_fd, const char *prefix, const char *host,
	     const char *label)
{
	struct walk *k = malloc(sizeof(*k));
	struct stat st;
	int fd, r;

	if (!k)
		return -1;
	*k = (struct walk){ .w = w, .host = host, .label = label };
	snprintf(k->path, sizeof(k->path), "%s", prefix);
	k->rel = strlen(k->path);
	r = -1;
	if (strlen(prefix) > TAR_NAME_MAX - 1) {
		fail_entry(k, "prefix", ENAMETOOLONG);
	} else if (fstat(dir_fd, &st) < 0) {
		fail_entry(k, "stat", errno);
	} else if ((fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		fail_entry(k, "open", errno);
	} else {
		r = 0;
		if (*prefix) {
			strcat(k->path, "/");
			r = put_header(k, TAR_DIR, &st, NULL, 0);
			k->path[k->rel] = 0;
		}
		r = r < 0 ? (close(fd), -1) : walk_dir(k, fd, 0);
	}
	if (r == 0)
		r = k->status;
	free(k);
	return r;
}
