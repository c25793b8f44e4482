/* Copying to and from scatter-gather lists, and cutting ranges out of them. */
#ifndef CAPSULE_IOV_H
#define CAPSULE_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Copy up to LEN bytes from IOV, starting OFFSET bytes in, to BUF; returns bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t offset, void *buf, size_t len);

/* Copy up to LEN bytes from BUF into IOV, starting OFFSET bytes in; returns bytes copied. */
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t offset, const void *buf, size_t len);

/*
 * Describe bytes [OFFSET, OFFSET+LEN) of IOV as a new list in OUT (room for
 * CAP entries). Returns the entry count, or -1 when the range is not all
 * there or needs more than CAP entries.
 */
int iov_slice(const struct iovec *iov, unsigned n, size_t offset, size_t len,
	      struct iovec *out, unsigned cap);

/* Total bytes in IOV. */
size_t iov_size(const struct iovec *iov, unsigned n);

#endif
