# Unit tests of the virtio core: the split virtqueue and the virtio-mmio transport.
test_virtqueue_SRCS := vmm/virtio/virtqueue.c vmm/guest_mem.c
test_virtio_mmio_SRCS := vmm/virtio/virtio_mmio.c vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/log.c
UNIT_TESTS += test_virtqueue test_virtio_mmio
