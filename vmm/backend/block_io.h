/* What the disk backends share: whole transfers on fds, zeroing iovecs (util/iov.h: the rest). */
#ifndef CAPSULE_BLOCK_IO_H
#define CAPSULE_BLOCK_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Fill IOV with zeroes. */
void block_iov_zero(const struct iovec *iov, int iovcnt);

/*
 * Read all of IOV from FD at OFF, retrying short transfers and EINTR. Bytes
 * past the end of the file read as zeroes when ZERO_PAST_EOF, else end of file
 * is -EIO. Returns 0 or -errno.
 */
int block_fd_preadv(int fd, const struct iovec *iov, int iovcnt, uint64_t off, bool zero_past_eof);

/* Write all of IOV to FD at OFF, retrying short transfers and EINTR. 0 or -errno. */
int block_fd_pwritev(int fd, const struct iovec *iov, int iovcnt, uint64_t off);

/* block_fd_preadv() and block_fd_pwritev() for one buffer. */
int block_fd_pread(int fd, void *buf, size_t len, uint64_t off, bool zero_past_eof);
int block_fd_pwrite(int fd, const void *buf, size_t len, uint64_t off);

/* The size in bytes of FD, a regular file or a block device. 0 or -errno. */
int block_fd_size(int fd, uint64_t *size);

#endif
