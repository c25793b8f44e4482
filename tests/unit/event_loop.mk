# Unit tests of the event loop.
test_event_loop_SRCS := vmm/event_loop.c vmm/log.c
UNIT_TESTS += test_event_loop
