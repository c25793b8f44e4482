# Test targets, included by the top-level Makefile.
# make test: unit tests (ASan/UBSan, no KVM), the firmware under QEMU, the bats suite under KVM.

UNIT_CFLAGS := $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Ivmm -Iseccomp -Itests/unit

# Each unit test and the monitor sources it drives (none of them needs KVM).
test_config_SRCS := $(wildcard vmm/config/*.c)
test_boot_SRCS := vmm/boot.c vmm/boot_elf.c vmm/guest_mem.c
test_io_bus_SRCS := vmm/io_bus.c vmm/log.c
test_cmdline_SRCS := vmm/cmdline.c
test_uart_SRCS := vmm/legacy/uart_8250.c vmm/io_bus.c vmm/log.c
test_i8042_SRCS := vmm/legacy/i8042.c vmm/legacy/ps2_kbd.c vmm/io_bus.c vmm/log.c
UNIT_TESTS := test_config test_boot test_io_bus test_cmdline test_uart test_i8042
# Each area may keep its own unit tests' rules beside them: tests/unit/*.mk add
# to UNIT_TESTS and set test_NAME_SRCS (and test_NAME_LIBS for libraries).
include $(wildcard tests/unit/*.mk)
UNIT_BINS := $(UNIT_TESTS:%=$(OUT)/tests/%)

define unit_rule
$(OUT)/tests/$(1): tests/unit/$(1).c tests/unit/check.h $$($(1)_SRCS) $$(wildcard vmm/*.h vmm/*/*.h)
	@mkdir -p $$(dir $$@)
	gcc $$(UNIT_CFLAGS) -o $$@ tests/unit/$(1).c $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# The small root filesystem the acceptance tests boot with --image (seconds, no
# network: made from this machine's python3 and busybox), and its check, which
# tests/run-all runs with the unit tests.
$(OUT)/images/test.qcow2 $(OUT)/images/test.img &: images/test-image.sh $(realpath /usr/bin/python3) $(BUSYBOX) | $(OUT)/deps.mk
	images/test-image.sh $(OUT)/images
$(OUT)/tests/test_images: tests/images/test_images.sh $(OUT)/images/test.qcow2
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec %s/tests/images/test_images.sh %s\n' "$(CURDIR)" "$(abspath $(OUT)/images)" >$@
	chmod +x $@
UNIT_BINS += $(OUT)/tests/test_images

unit-test: $(UNIT_BINS) $(OUT)/vmlinux
	CAPSULE_TEST_KERNEL=$(OUT)/vmlinux tests/run-all --unit-only

test: $(OUT)/capsule $(OUT)/firmware.bin $(UNIT_BINS)
	CAPSULE_TEST_KERNEL=$(OUT)/vmlinux tests/run-all

bench: $(OUT)/capsule $(OUT)/images/test.qcow2
	tests/bench/run
