# Unit tests of the rtl8139 model: registers, EEPROM, transmit and the receive ring over fake guest memory.
test_rtl8139_SRCS := $(wildcard vmm/nic/rtl8139*.c) vmm/guest_mem.c vmm/util/iov.c
test_rtl8139_LIBS := -lpthread
UNIT_TESTS += test_rtl8139
$(OUT)/tests/test_rtl8139: tests/unit/rtl8139_guest.h
