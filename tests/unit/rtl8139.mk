# Unit tests of the rtl8139 model over fake guest memory: C mode (registers, EEPROM, transmit slots, the
# receive ring) and C+ mode (descriptor rings, offloads).
test_rtl8139_SRCS := $(wildcard vmm/nic/rtl8139*.c) vmm/nic/offload.c vmm/guest_mem.c vmm/util/iov.c
test_rtl8139_LIBS := -lpthread
UNIT_TESTS += test_rtl8139
$(OUT)/tests/test_rtl8139: tests/unit/rtl8139_guest.h

test_rtl8139_cp_SRCS := $(test_rtl8139_SRCS)
test_rtl8139_cp_LIBS := -lpthread
UNIT_TESTS += test_rtl8139_cp
$(OUT)/tests/test_rtl8139 $(OUT)/tests/test_rtl8139_cp: tests/unit/rtl8139_regs.h
$(OUT)/tests/test_rtl8139_cp: tests/unit/rtl8139_guest.h
