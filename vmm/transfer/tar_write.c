/* The ustar writer (copy-in): headers, long names and file data, buffered onto one fd. */
#include "transfer/tar_write.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "transfer/tar_format.h"

/* The largest mtime an 11-digit octal field holds. */
#define MTIME_MAX 077777777777LL

void tar_writer_init(struct tar_writer *w, int fd, uid_t uid, gid_t gid)
{
	w->fd = fd;
	w->uid = uid;
	w->gid = gid;
	w->broken = false;
	w->err = 0;
	w->fill = 0;
}

static int flush(struct tar_writer *w)
{
	size_t off = 0;

	while (!w->broken && off < w->fill) {
		ssize_t n = write(w->fd, w->buf + off, w->fill - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->broken = true;
			w->err = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	w->fill = 0;
	return w->broken ? -1 : 0;
}

static int put(struct tar_writer *w, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n && !w->broken) {
		size_t take = sizeof(w->buf) - w->fill;

		if (take > n)
			take = n;
		if (p)
			memcpy(w->buf + w->fill, p, take);
		else
			memset(w->buf + w->fill, 0, take);
		w->fill += take;
		n -= take;
		if (p)
			p += take;
		if (w->fill == sizeof(w->buf))
			flush(w);
	}
	return w->broken ? -1 : 0;
}

/* Fill in the checksum of HDR and queue it. */
static int put_header(struct tar_writer *w, unsigned char *hdr)
{
	memcpy(hdr + TAR_MAGIC, "ustar  ", 8);	/* GNU's, like busybox: it owns 'L' and 'K' */
	memset(hdr + TAR_CHKSUM, ' ', 8);
	tar_put_number(hdr + TAR_CHKSUM, 7, tar_checksum(hdr));
	hdr[TAR_CHKSUM + 7] = ' ';
	return put(w, hdr, TAR_BLOCK);
}

/* A GNU 'L' or 'K' entry carrying TEXT (N bytes) whole, with its NUL. */
static int put_long(struct tar_writer *w, char type, const char *text, size_t n)
{
	unsigned char hdr[TAR_BLOCK] = { 0 };
	static const char gnu_name[] = "././@LongLink";

	tar_put_text(hdr + TAR_NAME, TAR_NAME_LEN, gnu_name, sizeof(gnu_name) - 1);
	tar_put_number(hdr + TAR_MODE, 8, 0);
	tar_put_number(hdr + TAR_UID, 8, 0);
	tar_put_number(hdr + TAR_GID, 8, 0);
	tar_put_number(hdr + TAR_SIZE, 12, n + 1);
	tar_put_number(hdr + TAR_MTIME, 12, 0);
	hdr[TAR_TYPE] = (unsigned char)type;
	if (put_header(w, hdr) < 0 || put(w, text, n) < 0 || put(w, NULL, 1) < 0)
		return -1;
	return tar_writer_pad(w, n + 1);
}

int tar_writer_header(struct tar_writer *w, const struct tar_entry *e)
{
	unsigned char hdr[TAR_BLOCK] = { 0 };
	int64_t mtime = e->mtime < 0 ? 0 : e->mtime > MTIME_MAX ? MTIME_MAX : e->mtime;

	/* A field of 100 holds 100 bytes without a NUL, but not every reader agrees: 99. */
	if (e->name_len >= TAR_NAME_LEN && put_long(w, TAR_GNU_LONGNAME, e->name, e->name_len) < 0)
		return -1;
	if (e->link && e->link_len >= TAR_NAME_LEN &&
	    put_long(w, TAR_GNU_LONGLINK, e->link, e->link_len) < 0)
		return -1;
	tar_put_text(hdr + TAR_NAME, TAR_NAME_LEN - 1, e->name, e->name_len);
	tar_put_number(hdr + TAR_MODE, 8, e->mode & 07777);
	tar_put_number(hdr + TAR_UID, 8, w->uid);
	tar_put_number(hdr + TAR_GID, 8, w->gid);
	tar_put_number(hdr + TAR_SIZE, 12, e->type == TAR_REG ? e->size : 0);
	tar_put_number(hdr + TAR_MTIME, 12, (uint64_t)mtime);
	hdr[TAR_TYPE] = (unsigned char)e->type;
	if (e->link)
		tar_put_text(hdr + TAR_LINKNAME, TAR_NAME_LEN - 1, e->link, e->link_len);
	return put_header(w, hdr);
}

int tar_writer_data(struct tar_writer *w, const void *data, size_t n)
{
	return put(w, data, n);
}

int tar_writer_zeros(struct tar_writer *w, uint64_t n)
{
	while (n && !w->broken) {
		size_t take = n > TAR_WRITE_BUF ? TAR_WRITE_BUF : (size_t)n;

		put(w, NULL, take);
		n -= take;
	}
	return w->broken ? -1 : 0;
}

int tar_writer_pad(struct tar_writer *w, uint64_t size)
{
	return put(w, NULL, (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

int tar_writer_end(struct tar_writer *w)
{
	if (put(w, NULL, 2 * TAR_BLOCK) < 0)
		return -1;
	return flush(w);
}
