/* libFuzzer target: passt's stream (length-led frames) as a hostile passt writes it, cut in arbitrary pieces. */
#include <errno.h>

#include "backend/passt_stream.h"
#include "fuzz_input.h"

/*
 * The input: one byte seeding how the rest is cut, then the stream. It is
 * read twice, whole and in pieces of 1 to 64 bytes; both reads must give the
 * same frames and the same end (a frame, -EAGAIN mid-record, or -EPROTO),
 * every frame within bounds, and an error once seen must stay.
 */
static struct passt_rx whole, pieces;

/* Frames of DATA read as one piece: their lengths into LENS (at most MAX); returns the count. */
static unsigned read_all(struct passt_rx *rx, const uint8_t *data, size_t size, uint32_t *lens,
			 unsigned max, ssize_t *end)
{
	size_t at = 0, used;
	unsigned n = 0;

	*end = -EAGAIN;
	while (at < size) {
		ssize_t r = passt_rx_feed(rx, data + at, size - at, &used);

		if (used > size - at)
			abort();
		at += used;
		*end = r;
		if (r < 0)
			break;
		if (r < PASST_FRAME_MIN || r > PASST_FRAME_MAX)
			abort();
		if (n < max)
			lens[n] = (uint32_t)r;
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t lens[4096];
	uint32_t seed = size ? data[0] : 0;
	size_t at = 1, used;
	unsigned n, n2 = 0;
	ssize_t end, end2 = -EAGAIN;

	if (size < 1)
		return 0;
	memset(&whole, 0, sizeof(whole));
	memset(&pieces, 0, sizeof(pieces));
	n = read_all(&whole, data + 1, size - 1, lens, 4096, &end);
	while (at < size) {
		size_t cut;
		ssize_t r;

		seed = seed * 1103515245u + 12345u;
		cut = 1 + (seed >> 16) % 64;
		if (cut > size - at)
			cut = size - at;
		r = passt_rx_feed(&pieces, data + at, cut, &used);
		at += used;
		end2 = r;
		if (r >= 0) {
			if (n2 < 4096 && (uint32_t)r != lens[n2])
				abort();
			n2++;
		} else if (r != -EAGAIN)
			break;
	}
	if (n != n2 || end2 != end)
		abort();
	if (end == -EPROTO && passt_rx_feed(&pieces, data, size, &used) != -EPROTO)
		abort();
	if (pieces.have >= PASST_RECORD_MAX)
		abort();
	return 0;
}
