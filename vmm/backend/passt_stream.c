/* passt's qemu-mode stream: frames in and out of a UNIX stream socket, the framing kept whole whatever the socket does. */
#include "backend/passt_stream.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/iov.h"

static uint32_t record_frame_len(const struct passt_rx *rx)
{
	const uint8_t *b = rx->buf;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* How many bytes the record in progress still lacks: the length word, then the frame. */
static size_t rx_need(const struct passt_rx *rx)
{
	if (rx->have < PASST_LEN_BYTES)
		return PASST_LEN_BYTES - rx->have;
	return PASST_LEN_BYTES + record_frame_len(rx) - rx->have;
}

/* N more bytes arrived: the frame's length when it is whole, -EAGAIN, or -EPROTO (sticky). */
static ssize_t rx_took(struct passt_rx *rx, size_t n)
{
	uint32_t len;

	rx->have += (uint32_t)n;
	if (rx->have < PASST_LEN_BYTES)
		return -EAGAIN;
	len = record_frame_len(rx);
	/* Checked as soon as the word is in: nothing of a bad record is read. */
	if (len < PASST_FRAME_MIN || len > PASST_FRAME_MAX)
		return rx->error = -EPROTO;
	if (rx->have < PASST_LEN_BYTES + len)
		return -EAGAIN;
	rx->have = 0;
	return len;
}

ssize_t passt_rx_read(struct passt_rx *rx, int fd)
{
	ssize_t n, ret;

	if (rx->error)
		return rx->error;
	/* Each turn reads at least a byte of a bounded record, or returns. */
	for (;;) {
		n = read(fd, rx->buf + rx->have, rx_need(rx));
		if (n < 0)
			/* EINTR: the fd is still readable, the caller's loop comes back. */
			return errno == EAGAIN || errno == EINTR ? -EAGAIN : (rx->error = -errno);
		if (n == 0)
			return rx->error = -EPIPE;
		ret = rx_took(rx, (size_t)n);
		if (ret != -EAGAIN)
			return ret;
	}
}

ssize_t passt_rx_feed(struct passt_rx *rx, const uint8_t *data, size_t len, size_t *used)
{
	ssize_t ret = -EAGAIN;

	*used = 0;
	if (rx->error)
		return rx->error;
	while (ret == -EAGAIN && *used < len) {
		size_t n = rx_need(rx);

		if (n > len - *used)
			n = len - *used;
		memcpy(rx->buf + rx->have, data + *used, n);
		*used += n;
		ret = rx_took(rx, n);
	}
	return ret;
}

bool passt_tx_pending(const struct passt_tx *tx)
{
	return tx->sent < tx->len;
}

/* Write what is left of the record. 0 when all of it went, -EAGAIN, or -errno. */
static int tx_flush(struct passt_tx *tx, int fd)
{
	while (tx->sent < tx->len) {
		ssize_t n = write(fd, tx->buf + tx->sent, tx->len - tx->sent);

		if (n < 0)
			return errno == EINTR ? -EAGAIN : -errno;
		tx->sent += (uint32_t)n;
	}
	tx->len = tx->sent = 0;
	return 0;
}

/* Whether IOV's frame (after the header) is the one in the record: the caller sending it again. */
static bool tx_same_frame(const struct passt_tx *tx, const struct iovec *iov, unsigned n,
			  size_t size)
{
	size_t off = NET_HDR_LEN;
	const uint8_t *rec = tx->buf + PASST_LEN_BYTES;

	if (tx->len != PASST_LEN_BYTES + size)
		return false;
	for (unsigned i = 0; i < n && size; i++) {
		size_t skip = off < iov[i].iov_len ? off : iov[i].iov_len;
		size_t take = iov[i].iov_len - skip;

		off -= skip;
		if (take > size)
			take = size;
		if (memcmp((const uint8_t *)iov[i].iov_base + skip, rec, take))
			return false;
		rec += take;
		size -= take;
	}
	return true;
}

int passt_tx_send(struct passt_tx *tx, int fd, const struct iovec *iov, unsigned n)
{
	size_t total = iov_size(iov, n), size;
	int ret;

	if (total < NET_HDR_LEN + PASST_FRAME_MIN || total > NET_HDR_LEN + PASST_FRAME_MAX)
		return -EINVAL;
	size = total - NET_HDR_LEN;
	if (tx->len) {
		/* Decided before the flush: the record's bytes are what it compares with. */
		bool again = tx_same_frame(tx, iov, n, size);

		ret = tx_flush(tx, fd);
		if (ret < 0 || again)
			return ret;
	}
	tx->buf[0] = (uint8_t)(size >> 24);
	tx->buf[1] = (uint8_t)(size >> 16);
	tx->buf[2] = (uint8_t)(size >> 8);
	tx->buf[3] = (uint8_t)size;
	iov_to_buf(iov, n, NET_HDR_LEN, tx->buf + PASST_LEN_BYTES, size);
	tx->len = (uint32_t)(PASST_LEN_BYTES + size);
	tx->sent = 0;
	return tx_flush(tx, fd);
}
