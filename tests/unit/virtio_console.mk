# Unit tests of the virtio-console device model, over the real transport and virtqueue.
test_virtio_console_SRCS := vmm/virtio/virtio_console.c vmm/virtio/virtio_console_control.c \
	vmm/virtio/virtio_mmio.c vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/iov.c vmm/log.c
UNIT_TESTS += test_virtio_console
$(OUT)/tests/test_virtio_console: tests/unit/virtio_console_guest.h tests/unit/fake_ring.h \
	tests/unit/virtio_driver.h
