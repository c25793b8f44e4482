/* An address-range registry that routes PIO or MMIO exits to the device owning the range. */
#ifndef CAPSULE_IO_BUS_H
#define CAPSULE_IO_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One handler signature for PIO and MMIO. OFFSET is relative to the range's
 * base; DATA holds LEN bytes (1, 2, 4 or 8), little-endian: the handler fills
 * it on a read and consumes it on a write.
 */
typedef void (*io_handler_fn)(void *opaque, uint64_t offset, uint8_t *data, unsigned len,
			      bool is_write);

struct io_range {
	uint64_t base;
	uint64_t len;
	io_handler_fn fn;
	void *opaque;
};

#define IO_BUS_RANGES_MAX 64

/* Ranges sorted by base, never overlapping. Filled before the vCPUs start. */
struct io_bus {
	const char *name;	/* "pio" or "mmio", for messages */
	struct io_range ranges[IO_BUS_RANGES_MAX];
	unsigned n;
};

void io_bus_init(struct io_bus *bus, const char *name);

/* Claim [BASE, BASE+LEN) for FN. Returns 0, -EEXIST on overlap, -ENOSPC when full. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len, io_handler_fn fn, void *opaque);

/*
 * Route an access to its owner. An access no device claims reads as all ones
 * and writes are dropped, as on a real bus; returns false for those.
 */
bool io_bus_dispatch(const struct io_bus *bus, uint64_t addr, uint8_t *data, unsigned len,
		     bool is_write);

#endif
