# Unit tests of the virtio-balloon device model over fake guest RAM, through the real transport and virtqueue.
test_virtio_balloon_SRCS := $(wildcard vmm/virtio/virtio_balloon*.c) vmm/virtio/virtio_mmio.c \
	vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/iov.c vmm/event_loop.c vmm/log.c
UNIT_TESTS += test_virtio_balloon
$(OUT)/tests/test_virtio_balloon: tests/unit/fake_ring.h tests/unit/virtio_driver.h
