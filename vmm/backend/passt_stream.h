/* passt's qemu-mode stream: Ethernet frames on a UNIX stream socket, each led by its length (4 bytes, big-endian). */
#ifndef CAPSULE_PASST_STREAM_H
#define CAPSULE_PASST_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "backend/net.h"

#define PASST_LEN_BYTES 4u
/* A frame's bounds either way: an Ethernet header at least, what the backend interface carries at most. */
#define PASST_FRAME_MIN 14u
#define PASST_FRAME_MAX (NET_FRAME_MAX - NET_HDR_LEN)
#define PASST_RECORD_MAX (PASST_LEN_BYTES + PASST_FRAME_MAX)

/*
 * The receive side: one record (length word, frame) being put together from
 * what the socket gives, a piece at a time. It never reads past the record
 * in progress, so frames not taken yet stay in the socket and its fd stays
 * readable for them: a caller that stops early is woken again.
 */
struct passt_rx {
	uint32_t have;			/* bytes of the record in buf */
	int error;			/* sticky: 0, or the -errno that ended the stream */
	uint8_t buf[PASST_RECORD_MAX];
};

/*
 * Read from FD (non-blocking) what completes the current record. Returns
 * the frame's length when it is whole (the frame at buf + PASST_LEN_BYTES;
 * the next call starts a new record), -EAGAIN when more must come, or an
 * error that stays: -EPROTO for a length out of bounds (the peer breaks the
 * protocol), -EPIPE at end of stream, another -errno from read().
 */
ssize_t passt_rx_read(struct passt_rx *rx, int fd);

/*
 * Feed LEN bytes of DATA as if read, for the fuzz target: *USED says how
 * many were taken. Same returns as passt_rx_read(), -EAGAIN when DATA ends
 * mid-record.
 */
ssize_t passt_rx_feed(struct passt_rx *rx, const uint8_t *data, size_t len, size_t *used);

/*
 * The send side: one record at a time. A record the socket took only part
 * of stays here, and nothing else goes out before its rest: the stream's
 * framing never breaks. The caller hears -EAGAIN for that frame and sends
 * it again once the fd is writable (virtio-net holds it; the PCI NICs drop
 * it): the same frame again finishes the record instead of going twice.
 */
struct passt_tx {
	uint32_t len;			/* bytes of the record in buf; 0: none */
	uint32_t sent;			/* of them, written */
	uint8_t buf[PASST_RECORD_MAX];
};

/*
 * Send the frame in IOV (N entries, struct net_hdr first, which passt does
 * not take: it is dropped) on FD (non-blocking). Returns 0 when the whole
 * record went out, -EAGAIN when it did not (the rest goes first next time),
 * -EINVAL for a frame out of bounds (dropped), another -errno from write().
 */
int passt_tx_send(struct passt_tx *tx, int fd, const struct iovec *iov, unsigned n);

/* Whether part of a record still waits to be written. */
bool passt_tx_pending(const struct passt_tx *tx);

#endif
