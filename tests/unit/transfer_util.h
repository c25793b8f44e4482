/* Helpers of the transfer tests: scratch trees, a listing of a tree to compare, hand-made archives. */
#ifndef CAPSULE_TRANSFER_UTIL_H
#define CAPSULE_TRANSFER_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer/tar_format.h"

/* A growing byte buffer. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static inline void __attribute__((unused)) buf_put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

/* A header as a writer would make it (the test's own, not the code under test's). */
struct hdr_spec {
	const char *name;
	char type;
	unsigned mode;
	uint64_t size;
	const char *link;
	const char *size_field;		/* raw, overriding SIZE when set (12 bytes, or up to a NUL) */
	bool size_raw12;		/* SIZE_FIELD is 12 bytes, NULs and all */
	bool gnu;			/* GNU magic, else POSIX */
	bool bad_sum;
	const char *prefix;		/* POSIX prefix field */
};

static inline void __attribute__((unused)) put_hdr(struct buf *b, const struct hdr_spec *s)
{
	unsigned char h[512] = { 0 };
	unsigned sum = 0;

	strncpy((char *)h, s->name, 100);
	snprintf((char *)h + 100, 8, "%07o", (s->mode ? s->mode : 0644) & 07777);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	if (s->size_field)
		memcpy(h + 124, s->size_field, s->size_raw12 ? 12 : strlen(s->size_field) < 12 ?
		       strlen(s->size_field) : 12);
	else
		snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)s->size);
	snprintf((char *)h + 136, 12, "%011o", 1000000);
	h[156] = (unsigned char)(s->type ? s->type : '0');
	if (s->link)
		strncpy((char *)h + 157, s->link, 100);
	memcpy(h + 257, s->gnu ? "ustar  " : "ustar\0" "00", 8);
	if (s->prefix)
		strncpy((char *)h + 345, s->prefix, 155);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum + (s->bad_sum ? 1 : 0));
	buf_put(b, h, 512);
}

/* Data of N bytes (DATA or zeros), padded to its block. */
static inline void __attribute__((unused)) put_data(struct buf *b, const void *data, size_t n)
{
	buf_put(b, data, n);
	buf_put(b, NULL, (512 - n % 512) % 512);
}

static inline void __attribute__((unused)) put_end(struct buf *b)
{
	buf_put(b, NULL, 1024);
}

/* Write FILE with N bytes of TEXT repeated. */
static inline void __attribute__((unused)) make_file(const char *path, const char *text, size_t n,
						     mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t tl = strlen(text);

	for (size_t done = 0; done < n;) {
		size_t k = n - done < tl ? n - done : tl;

		if (write(fd, text, k) != (ssize_t)k)
			abort();
		done += k;
	}
	fchmod(fd, mode);
	close(fd);
}

static inline uint64_t __attribute__((unused)) fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per entry below DIR_FD, sorted: path, kind, mode, content hash or link target. */
static inline void __attribute__((unused)) list_tree(int dir_fd, const char *rel, struct buf *out)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY);
	DIR *d = fdopendir(fd);
	char *names[4096];
	size_t n = 0;
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 4096)
			names[n++] = strdup(e->d_name);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char line[8400], path[4200];
		uint64_t h = 0xcbf29ce484222325ull;

		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", names[i]);
		fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW);
		if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t k = readlinkat(dirfd(d), names[i], t, sizeof(t) - 1);

			t[k > 0 ? k : 0] = 0;
			snprintf(line, sizeof(line), "%s l -> %s\n", path, t);
		} else if (S_ISDIR(st.st_mode)) {
			snprintf(line, sizeof(line), "%s d %04o\n", path, st.st_mode & 07777);
		} else {
			int f = openat(dirfd(d), names[i], O_RDONLY);
			unsigned char chunk[65536];
			ssize_t k;

			while (f >= 0 && (k = read(f, chunk, sizeof(chunk))) > 0)
				h = fnv(h, chunk, (size_t)k);
			if (f >= 0)
				close(f);
			snprintf(line, sizeof(line), "%s %c %04o %lld %016llx %lld\n", path,
				 S_ISREG(st.st_mode) ? 'f' : '?', st.st_mode & 07777,
				 (long long)st.st_size, (unsigned long long)h, (long long)st.st_mtime);
		}
		buf_put(out, line, strlen(line));
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			list_tree(sub, path, out);
			close(sub);
		}
		free(names[i]);
	}
	if (d)
		closedir(d);
}

/* The listing of the tree at PATH, a string to free. */
static inline char *__attribute__((unused)) tree_listing(const char *path)
{
	struct buf b = { 0 };
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		list_tree(fd, "", &b);
		close(fd);
	}
	buf_put(&b, "", 1);
	return (char *)b.p;
}

/* Run the shell command made of FMT, saying so when it fails. */
static inline void __attribute__((unused, format(printf, 1, 2))) run_cmd(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		printf("  command failed: %s\n", cmd);
}

/* "rm -rf PATH", even through directories without permissions. */
static inline void __attribute__((unused)) remove_tree(const char *path)
{
	char cmd[4300];

	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

/* How many entries DIR has (-1: none such). */
static inline int __attribute__((unused)) count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

#endif
