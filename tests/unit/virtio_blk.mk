# Unit tests of the virtio-blk device model over a fake disk, through the real transport and virtqueue.
test_virtio_blk_SRCS := vmm/virtio/virtio_blk.c vmm/virtio/virtio_blk_req.c vmm/virtio/virtio_mmio.c \
	vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/worker_pool.c vmm/util/iov.c vmm/log.c
test_virtio_blk_LIBS := -lpthread
UNIT_TESTS += test_virtio_blk
$(OUT)/tests/test_virtio_blk: tests/unit/fake_ring.h tests/unit/virtio_driver.h
