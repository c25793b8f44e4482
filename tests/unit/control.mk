# Unit tests of the control protocol (vmm/control/): requests, answers, the JSON reader, capsule ctl's text, [control].
CONTROL_PROTO_SRCS := vmm/control/control_proto.c vmm/control/control_utf8.c \
	vmm/control/control_answer.c vmm/control/control_json.c vmm/control/control_lines.c \
	vmm/control/control_dispatch.c
test_control_SRCS := $(CONTROL_PROTO_SRCS) vmm/config/config_values.c
test_control_answer_SRCS := $(CONTROL_PROTO_SRCS) vmm/control/control_info.c \
	vmm/control/control_human.c vmm/control/control_path.c $(wildcard vmm/config/*.c)
UNIT_TESTS += test_control test_control_answer
test_control_balloon_SRCS := $(CONTROL_PROTO_SRCS) vmm/control/control_balloon.c vmm/control/control_human.c \
	vmm/config/config_values.c $(wildcard vmm/virtio/virtio_balloon*.c) vmm/virtio/virtio_mmio.c \
	vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/iov.c vmm/event_loop.c vmm/log.c
UNIT_TESTS += test_control_balloon
$(OUT)/tests/test_control_balloon: tests/unit/virtio_driver.h
