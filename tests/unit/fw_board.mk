# Unit tests of the firmware's MP-table layout (firmware/board.c) on the host, config space faked.
test_fw_board_SRCS := firmware/board.c
# -iquote: the firmware's own headers, without its string.h shadowing libc's.
$(OUT)/tests/test_fw_board: UNIT_CFLAGS += -iquote firmware -iquote vmm/abi
UNIT_TESTS += test_fw_board
