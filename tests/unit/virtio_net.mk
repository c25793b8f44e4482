# Unit tests of the virtio-net device model, over the real transport, virtqueue and event loop.
test_virtio_net_SRCS := $(wildcard vmm/virtio/virtio_net*.c) vmm/virtio/virtio_mmio.c \
	vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/iov.c vmm/event_loop.c vmm/log.c
UNIT_TESTS += test_virtio_net
$(OUT)/tests/test_virtio_net: tests/unit/virtio_net_guest.h tests/unit/fake_ring.h \
	tests/unit/virtio_driver.h
