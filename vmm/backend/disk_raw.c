/* The raw disk backend: the image file (or block device) is the disk, byte for byte. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/block_impl.h"
#include "backend/block_io.h"
#include "log.h"
#include "util/iov.h"

/* Zeroes are written in pieces of this size when the file system cannot zero a range itself. */
#define ZERO_CHUNK (256u << 10)

struct disk_raw {
	struct block_backend base;	/* first: what block users see */
	int fd;
	uint64_t file_size;		/* may be short of base.size by less than a sector */
	bool probed;			/* raw by probing: it must stay so (refuse_reformat()) */
	bool told;			/* the refusal was reported */
};

static struct disk_raw *to_raw(struct block_backend *b)
{
	return (struct disk_raw *)b;
}

/* 0 when [OFF, OFF + LEN) lies within the disk. */
static int check_range(const struct block_backend *b, uint64_t off, uint64_t len)
{
	return off > b->size || len > b->size - off ? -EINVAL : 0;
}

/* check_range() for a change, which a read-only disk refuses. */
static int check_change(const struct block_backend *b, uint64_t off, uint64_t len)
{
	return b->readonly ? -EROFS : check_range(b, off, len);
}

/* No locking: every operation is a positioned syscall on an fd nobody moves. */
static int raw_preadv(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t off)
{
	int r = check_range(b, off, iov_size(iov, (unsigned)iovcnt));

	/* The size was rounded up to a whole sector: the tail past the file reads as zeroes. */
	return r ? r : block_fd_preadv(to_raw(b)->fd, iov, iovcnt, off, true);
}

/*
 * A disk whose format was probed must never probe as anything else: a guest
 * that writes a qcow2 header (naming a host file as its backing file) into
 * its first sector would otherwise be served that file next time (the class
 * of CVE-2008-2004). Such a write is refused, and reported once.
 */
static int refuse_reformat(struct disk_raw *d, const struct iovec *iov, int iovcnt, uint64_t off)
{
	uint8_t head[16];
	size_t n;

	if (!d->probed || off != 0)
		return 0;
	n = iov_to_buf(iov, (unsigned)iovcnt, 0, head, sizeof(head));
	if (block_probe(head, n) == BLOCK_FORMAT_RAW)
		return 0;
	/* Workers write concurrently: one of them tells. */
	if (!__atomic_exchange_n(&d->told, true, __ATOMIC_RELAXED))
		log_error("%s: the guest wrote an image header into the first sector of this disk, "
			  "whose format was probed as raw: refused (say format = raw to allow it)",
			  d->base.path);
	return -EPERM;
}

static int raw_pwritev(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t off)
{
	int r = check_change(b, off, iov_size(iov, (unsigned)iovcnt));

	if (!r)
		r = refuse_reformat(to_raw(b), iov, iovcnt, off);
	return r ? r : block_fd_pwritev(to_raw(b)->fd, iov, iovcnt, off);
}

static int raw_flush(struct block_backend *b)
{
	if (b->readonly)
		return 0;
	return fdatasync(to_raw(b)->fd) < 0 ? -errno : 0;
}

/* fallocate() MODE over the range, retried on EINTR. 0 or -errno. */
static int raw_fallocate(struct disk_raw *d, int mode, uint64_t off, uint64_t len)
{
	int r;

	do
		r = fallocate(d->fd, mode, (off_t)off, (off_t)len);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static int raw_discard(struct block_backend *b, uint64_t off, uint64_t len)
{
	struct disk_raw *d = to_raw(b);
	int r = check_change(b, off, len);

	if (r || !len)
		return r;
	r = raw_fallocate(d, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	/* Discard is a hint: a file system that cannot punch holes just keeps the data. */
	if (r == -EOPNOTSUPP || r == -ENOSYS || r == -EINVAL)
		return 0;
	return r;
}

/* Write zeroes over the range the slow way. */
static int write_zero_buffers(struct disk_raw *d, uint64_t off, uint64_t len)
{
	uint8_t *zero = calloc(1, ZERO_CHUNK);
	int r = 0;

	if (!zero)
		return -ENOMEM;
	while (len && !r) {
		size_t n = len < ZERO_CHUNK ? (size_t)len : ZERO_CHUNK;

		r = block_fd_pwrite(d->fd, zero, n, off);
		off += n;
		len -= n;
	}
	free(zero);
	return r;
}

static int raw_write_zeroes(struct block_backend *b, uint64_t off, uint64_t len, bool may_unmap)
{
	struct disk_raw *d = to_raw(b);
	int r = check_change(b, off, len);

	if (r || !len)
		return r;
	/* A punched hole reads as zeroes; ZERO_RANGE keeps the space allocated. */
	if (may_unmap)
		r = raw_fallocate(d, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	else
		r = raw_fallocate(d, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len);
	if (r == -EOPNOTSUPP || r == -ENOSYS || r == -EINVAL || r == -ENODEV)
		r = write_zero_buffers(d, off, len);
	return r;
}

static void raw_close(struct block_backend *b)
{
	struct disk_raw *d = to_raw(b);

	close(d->fd);
	free(d);
}

static const struct block_ops raw_ops = {
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.discard = raw_discard,
	.write_zeroes = raw_write_zeroes,
	.close = raw_close,
};

int disk_raw_open(const char *path, int fd, bool readonly, bool probed, struct block_backend **out,
		  char *err, size_t errlen)
{
	struct disk_raw *d = calloc(1, sizeof(*d));
	int r;

	if (!d) {
		block_err(err, errlen, path, "out of memory");
		close(fd);
		return -ENOMEM;
	}
	r = block_fd_size(fd, &d->file_size);
	if (r < 0) {
		block_err(err, errlen, path, "cannot find the size: %s", strerror(-r));
		close(fd);
		free(d);
		return r;
	}
	d->fd = fd;
	d->base.fd = fd;
	d->probed = probed && !readonly;
	d->base.ops = &raw_ops;
	d->base.readonly = readonly;
	/* As QEMU does: a file that ends inside a sector is a disk of whole sectors. */
	d->base.size = (d->file_size + 511) & ~511ull;
	snprintf(d->base.path, sizeof(d->base.path), "%s", path);
	*out = &d->base;
	return 0;
}
