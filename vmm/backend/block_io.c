/* What the disk backends share: whole transfers on fds, zeroing iovecs (util/iov.h: the rest). */
#include "backend/block_io.h"

#include <errno.h>
#include <linux/fs.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/iov.h"

/* How many iovec entries one preadv/pwritev call takes from a longer list. */
#define IOV_BATCH 64

void block_iov_zero(const struct iovec *iov, int iovcnt)
{
	for (int i = 0; i < iovcnt; i++)
		memset(iov[i].iov_base, 0, iov[i].iov_len);
}

/*
 * The common loop of whole reads and writes: a cursor (entry IDX, SKIP bytes
 * into it) walks IOV; each call moves up to IOV_BATCH entries from there.
 */
static int fd_transfer(int fd, const struct iovec *iov, int iovcnt, uint64_t off, bool write,
		       bool zero_past_eof)
{
	size_t total = iov_size(iov, (unsigned)iovcnt), skip = 0;
	struct iovec batch[IOV_BATCH];
	int idx = 0;

	if (total > INT64_MAX || off > (uint64_t)INT64_MAX - total)
		return -EINVAL;
	for (;;) {
		int n = 0;
		ssize_t done;

		while (idx < iovcnt && skip == iov[idx].iov_len) {
			idx++;
			skip = 0;
		}
		if (idx == iovcnt)
			return 0;
		for (int i = idx; i < iovcnt && n < IOV_BATCH; i++) {
			size_t s = i == idx ? skip : 0;

			batch[n].iov_base = (uint8_t *)iov[i].iov_base + s;
			batch[n].iov_len = iov[i].iov_len - s;
			n++;
		}
		done = write ? pwritev(fd, batch, n, (off_t)off) : preadv(fd, batch, n, (off_t)off);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -errno;
		if (done == 0) {
			if (write || !zero_past_eof)
				return -EIO;
			/* Past the end of the file: the rest reads as zeroes. */
			memset(batch[0].iov_base, 0, batch[0].iov_len);
			done = (ssize_t)batch[0].iov_len;
		}
		off += (uint64_t)done;
		while (done > 0) {
			size_t left = iov[idx].iov_len - skip;
			size_t step = (size_t)done < left ? (size_t)done : left;

			skip += step;
			done -= (ssize_t)step;
			if (skip == iov[idx].iov_len && done > 0) {
				idx++;
				skip = 0;
			}
		}
	}
}

int block_fd_preadv(int fd, const struct iovec *iov, int iovcnt, uint64_t off, bool zero_past_eof)
{
	return fd_transfer(fd, iov, iovcnt, off, false, zero_past_eof);
}

int block_fd_pwritev(int fd, const struct iovec *iov, int iovcnt, uint64_t off)
{
	return fd_transfer(fd, iov, iovcnt, off, true, false);
}

int block_fd_pread(int fd, void *buf, size_t len, uint64_t off, bool zero_past_eof)
{
	struct iovec v = { .iov_base = buf, .iov_len = len };

	return fd_transfer(fd, &v, 1, off, false, zero_past_eof);
}

int block_fd_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	struct iovec v = { .iov_base = (void *)buf, .iov_len = len };

	return fd_transfer(fd, &v, 1, off, true, false);
}

int block_fd_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}
