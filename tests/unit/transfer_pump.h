/* The transfer tests' stand-in for the monitor: copies one process's stream into the other's, as the console would. */
#ifndef CAPSULE_TRANSFER_PUMP_H
#define CAPSULE_TRANSFER_PUMP_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <unistd.h>

/* FROM (non-blocking) to its end of file, into TO (non-blocking): 0, or -1 (stuck 20 s, or TO closed). */
static inline int __attribute__((unused)) pump(int from, int to)
{
	static char buf[65536];
	size_t have = 0, off = 0;
	bool eof = false;

	while (!eof || off < have) {
		bool reading = off == have;
		struct pollfd p = { reading ? from : to, reading ? POLLIN : POLLOUT, 0 };
		ssize_t n;

		if (poll(&p, 1, 20000) != 1)
			return -1;
		if (reading) {
			n = read(from, buf, sizeof(buf));
			if (n == 0)
				eof = true;
			else if (n > 0)
				have = (size_t)n, off = 0;
			else if (errno != EAGAIN && errno != EINTR)
				return -1;
		} else {
			n = write(to, buf + off, have - off);
			if (n > 0)
				off += (size_t)n;
			else if (errno != EAGAIN && errno != EINTR)
				return -1;
		}
	}
	return 0;
}

#endif
