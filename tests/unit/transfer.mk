# Unit tests of --copy-in/--copy-out's host side (vmm/transfer/): tar writer and extractor, busybox interop, hostile archives, the processes.
TRANSFER_SRCS := $(wildcard vmm/transfer/*.c) vmm/sandbox/seccomp.c vmm/log.c $(SECCOMP_FILTERS)
test_transfer_SRCS := $(TRANSFER_SRCS)
UNIT_TESTS += test_transfer
$(OUT)/tests/test_transfer: tests/unit/transfer_util.h
test_transfer_hostile_SRCS := $(TRANSFER_SRCS)
UNIT_TESTS += test_transfer_hostile
$(OUT)/tests/test_transfer_hostile: tests/unit/transfer_util.h
test_transfer_proc_SRCS := $(TRANSFER_SRCS)
UNIT_TESTS += test_transfer_proc
$(OUT)/tests/test_transfer_proc: tests/unit/transfer_util.h tests/unit/transfer_pump.h
