# Unit tests of the event loop and of the console's host fds (stdio reopened, output held for a slow reader).
test_event_loop_SRCS := vmm/event_loop.c vmm/log.c
test_chardev_fd_SRCS := vmm/backend/chardev_fd.c vmm/event_loop.c vmm/util/iov.c vmm/log.c
UNIT_TESTS += test_event_loop test_chardev_fd
# Unit tests of pause, resume and shutdown: the real event loop, the vCPUs, clocks and keyboard faked.
test_lifecycle_SRCS := vmm/lifecycle.c vmm/lifecycle_signal.c vmm/event_loop.c vmm/log.c
UNIT_TESTS += test_lifecycle
