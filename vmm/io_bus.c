/* An address-range registry that routes PIO or MMIO exits to the device owning the range. */
#include "io_bus.h"

#include <errno.h>
#include <string.h>

#include "log.h"

void io_bus_init(struct io_bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len, io_handler_fn fn, void *opaque)
{
	unsigned i;

	if (!len || base + len < base)
		return -EINVAL;
	if (bus->n == IO_BUS_RANGES_MAX)
		return -ENOSPC;
	for (i = 0; i < bus->n && bus->ranges[i].base < base; i++)
		;
	if (i > 0 && bus->ranges[i - 1].base + bus->ranges[i - 1].len > base)
		return -EEXIST;
	if (i < bus->n && base + len > bus->ranges[i].base)
		return -EEXIST;
	memmove(&bus->ranges[i + 1], &bus->ranges[i], (bus->n - i) * sizeof(bus->ranges[0]));
	bus->ranges[i] = (struct io_range){ base, len, fn, opaque };
	bus->n++;
	return 0;
}

/* The range holding ADDR, by binary search; NULL when none does. */
static const struct io_range *find(const struct io_bus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct io_range *r = &bus->ranges[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

bool io_bus_dispatch(const struct io_bus *bus, uint64_t addr, uint8_t *data, unsigned len,
		     bool is_write)
{
	const struct io_range *r = find(bus, addr);

	/* An access straddling the end of a range is not the device's either. */
	if (!r || len > r->len - (addr - r->base)) {
		if (!is_write)
			memset(data, 0xff, len);
		log_debug("%s: unclaimed %s at %#llx len %u", bus->name, is_write ? "write" : "read",
			  (unsigned long long)addr, len);
		return false;
	}
	r->fn(r->opaque, addr - r->base, data, len, is_write);
	return true;
}
