/* Copying to and from scatter-gather lists, and cutting ranges out of them. */
#include "util/iov.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The walk both copies share: TO_IOV picks the direction. */
static size_t iov_copy(const struct iovec *iov, unsigned n, size_t offset, uint8_t *buf,
		       size_t len, bool to_iov)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t chunk;
		uint8_t *p;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - offset;
		if (chunk > len - done)
			chunk = len - done;
		p = (uint8_t *)iov[i].iov_base + offset;
		memcpy(to_iov ? p : buf + done, to_iov ? buf + done : p, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t offset, void *buf, size_t len)
{
	return iov_copy(iov, n, offset, buf, len, false);
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t offset, const void *buf, size_t len)
{
	return iov_copy(iov, n, offset, (uint8_t *)buf, len, true);
}

int iov_slice(const struct iovec *iov, unsigned n, size_t offset, size_t len,
	      struct iovec *out, unsigned cap)
{
	unsigned count = 0;

	for (unsigned i = 0; i < n && len; i++) {
		size_t chunk;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		if (count == cap)
			return -1;
		chunk = iov[i].iov_len - offset;
		if (chunk > len)
			chunk = len;
		out[count].iov_base = (uint8_t *)iov[i].iov_base + offset;
		out[count++].iov_len = chunk;
		len -= chunk;
		offset = 0;
	}
	return len ? -1 : (int)count;
}

size_t iov_size(const struct iovec *iov, unsigned n)
{
	size_t total = 0;

	for (unsigned i = 0; i < n; i++)
		total += iov[i].iov_len;
	return total;
}
