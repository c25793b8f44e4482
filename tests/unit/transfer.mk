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

# The processes under their real seccomp filters need capsule's own libc: built
# with musl and static from the monitor's objects, no sanitizers; run as a unit test.
TRANSFER_MUSL_OBJS := $(patsubst %.c,$(OUT)/%.o,$(wildcard vmm/transfer/*.c) vmm/sandbox/seccomp.c \
	vmm/log.c) $(OUT)/seccomp/filters.o
$(OUT)/tests/test_transfer_sandbox: tests/unit/test_transfer_sandbox.c tests/unit/check.h \
		tests/unit/transfer_util.h tests/unit/transfer_pump.h $(TRANSFER_MUSL_OBJS)
	@mkdir -p $(dir $@)
	$(CC_MUSL) $(CFLAGS_COMMON) -static -isystem $(KHDR) -Ivmm -Iseccomp -Itests/unit -o $@ $< \
		$(TRANSFER_MUSL_OBJS)
unit-test test: $(OUT)/tests/test_transfer_sandbox
