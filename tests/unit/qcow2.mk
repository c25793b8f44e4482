# Unit tests of the disk backends (raw, qcow2), with qemu-img and qemu-io as the oracle.
BLOCK_SRCS := $(wildcard vmm/backend/block*.c) vmm/backend/disk_raw.c \
	$(wildcard vmm/backend/qcow2_*.c) vmm/util/iov.c vmm/log.c
BLOCK_TESTS := test_block_raw test_block_backing test_qcow2_read test_qcow2_write \
	test_qcow2_crash test_qcow2_powerfail test_qcow2_corrupt test_qcow2_crafted \
	test_qcow2_overlay test_qcow2_reuse

$(foreach t,$(BLOCK_TESTS),$(eval $(t)_SRCS := tests/qcow2/qtest.c $$(BLOCK_SRCS)) \
	$(eval $(t)_LIBS := -lz -lpthread))
# The power-cut test logs the image's writes by wrapping the syscalls that make them.
test_qcow2_powerfail_LIBS += -Wl,--wrap=pwritev,--wrap=fdatasync,--wrap=fallocate
# The crash tests' small disks would seldom fill the queue of frees: a smaller one there.
$(OUT)/tests/test_qcow2_crash $(OUT)/tests/test_qcow2_powerfail: UNIT_CFLAGS += \
	-DQCOW2_FREES_MAX_BYTES=65536 -DQCOW2_FREES_MAX_ENTRIES=16
# The reuse test makes hole punches fail, to see reused clusters zeroed all the same.
test_qcow2_reuse_LIBS += -Wl,--wrap=fallocate
UNIT_TESTS += $(BLOCK_TESTS)
