# Unit tests of the passt backend's stream framing (a socket pair for passt) and its command line.
test_passt_SRCS := vmm/backend/passt_stream.c vmm/backend/passt_args.c vmm/util/iov.c
UNIT_TESTS += test_passt
