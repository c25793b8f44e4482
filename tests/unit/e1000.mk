# Unit tests of the e1000 NIC model: fake guest RAM and a fake backend (e1000_fake.h).
test_e1000_SRCS := $(wildcard vmm/nic/e1000*.c) vmm/nic/offload.c vmm/guest_mem.c vmm/util/iov.c
test_e1000_LIBS := -lpthread
UNIT_TESTS += test_e1000
$(OUT)/tests/test_e1000: tests/unit/e1000_fake.h
