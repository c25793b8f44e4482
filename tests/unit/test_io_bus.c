/* Unit tests of the PIO/MMIO range registry. */
#include <errno.h>

#include "check.h"
#include "io_bus.h"

static uint64_t last_offset;
static unsigned calls;

static void handler(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	last_offset = offset;
	calls++;
	if (!is_write)
		memset(data, *(int *)opaque, len);
}

static void registry(void)
{
	struct io_bus bus;
	int a = 0xa, b = 0xb;
	uint8_t d[8];

	io_bus_init(&bus, "test");
	CHECK(io_bus_register(&bus, 0x3f8, 8, handler, &a) == 0);
	CHECK(io_bus_register(&bus, 0x60, 1, handler, &b) == 0);
	CHECK(io_bus_register(&bus, 0x3f0, 9, handler, &b) == -EEXIST);
	CHECK(io_bus_register(&bus, 0x3ff, 1, handler, &b) == -EEXIST);
	CHECK(io_bus_register(&bus, 0x3f9, 1, handler, &b) == -EEXIST);
	CHECK(io_bus_register(&bus, 0x400, 0, handler, &b) == -EINVAL);
	CHECK(io_bus_register(&bus, UINT64_MAX, 2, handler, &b) == -EINVAL);
	CHECK(io_bus_register(&bus, 0x400, 1, handler, &b) == 0);
	CHECK(bus.ranges[0].base == 0x60 && bus.ranges[1].base == 0x3f8 && bus.ranges[2].base == 0x400);

	CHECK(io_bus_dispatch(&bus, 0x3fd, d, 1, false) && d[0] == 0xa && last_offset == 5);
	CHECK(io_bus_dispatch(&bus, 0x60, d, 1, false) && d[0] == 0xb && last_offset == 0);
	calls = 0;
	CHECK(!io_bus_dispatch(&bus, 0x61, d, 2, false) && d[0] == 0xff && d[1] == 0xff);
	/* Straddling the end of a range: nobody's. */
	CHECK(!io_bus_dispatch(&bus, 0x3fe, d, 4, false) && d[3] == 0xff);
	CHECK(!io_bus_dispatch(&bus, 0x1000, d, 1, true));
	CHECK(calls == 0);
}

static void full(void)
{
	struct io_bus bus;
	int a = 0;

	io_bus_init(&bus, "test");
	for (unsigned i = 0; i < IO_BUS_RANGES_MAX; i++)
		CHECK(io_bus_register(&bus, 1000 - i * 10, 10, handler, &a) == 0);
	CHECK(io_bus_register(&bus, 5000, 1, handler, &a) == -ENOSPC);
	for (unsigned i = 1; i < IO_BUS_RANGES_MAX; i++)
		CHECK(bus.ranges[i - 1].base < bus.ranges[i].base);
}

int main(void)
{
	RUN(registry);
	RUN(full);
	return CHECK_SUMMARY();
}
