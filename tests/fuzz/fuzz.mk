# libFuzzer targets (clang, ASan, UBSan), one per parser of guest or user input.
# `make fuzz` runs each for FUZZ_SECONDS from its seed corpus tests/fuzz/corpus/NAME
# and fails if any crashes; `make fuzz-NAME` runs one. What a run finds new goes to
# $(OUT)/fuzz/corpus/NAME, crashes to $(OUT)/fuzz/NAME/. The same sources are built
# with gcc and tests/fuzz/replay.c as out/tests/test_fuzz_NAME, which `make unit-test`
# runs: every committed input once, so that the targets cannot rot.

FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_TARGETS := qcow2_open virtqueue virtio_blk virtio_net virtio_balloon config control i8042 pci \
	e1000_tx rtl8139 tar_extract passt_stream

# Each target: its sources beside tests/fuzz/fuzz_NAME.c, libraries, other files it
# reads (DEPS) and defines, seed directories and libFuzzer options (a dictionary is
# tests/fuzz/NAME.dict). Qcow2 images are written in /dev/shm (FUZZ_DIR=... to change that).
fuzz_qcow2_open_SRCS := $(wildcard vmm/backend/block*.c) vmm/backend/disk_raw.c \
	$(wildcard vmm/backend/qcow2_*.c) vmm/util/iov.c vmm/log.c
fuzz_qcow2_open_LIBS := -lz -lpthread
fuzz_qcow2_open_SEEDS := tests/fuzz/corpus/qcow2_open tests/qcow2/corrupt
fuzz_qcow2_open_OPTS := -max_len=65536 -timeout=10

fuzz_virtqueue_SRCS := vmm/virtio/virtqueue.c vmm/guest_mem.c
fuzz_virtqueue_OPTS := -max_len=8192 -timeout=5

fuzz_virtio_blk_SRCS := vmm/virtio/virtio_blk.c vmm/virtio/virtio_blk_req.c vmm/virtio/virtio_mmio.c \
	vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/iov.c vmm/util/worker_pool.c tests/fuzz/fuzz_log.c
fuzz_virtio_blk_LIBS := -lpthread
fuzz_virtio_blk_OPTS := -max_len=4096 -timeout=10

fuzz_virtio_net_SRCS := $(wildcard vmm/virtio/virtio_net*.c) vmm/virtio/virtio_mmio.c \
	vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/iov.c vmm/event_loop.c tests/fuzz/fuzz_log.c
fuzz_virtio_net_OPTS := -max_len=4096 -timeout=10

fuzz_virtio_balloon_SRCS := $(wildcard vmm/virtio/virtio_balloon*.c) vmm/virtio/virtio_mmio.c \
	vmm/virtio/virtqueue.c vmm/guest_mem.c vmm/util/iov.c vmm/event_loop.c tests/fuzz/fuzz_log.c
fuzz_virtio_balloon_OPTS := -max_len=4096 -timeout=10

fuzz_config_SRCS := $(wildcard vmm/config/*.c)
fuzz_config_DEPS := images/default.conf
fuzz_config_DEFS := -DFUZZ_DEFAULT_CONF='"$(CURDIR)/images/default.conf"'
fuzz_config_OPTS := -max_len=8192 -timeout=5

fuzz_control_SRCS := vmm/control/control_proto.c vmm/control/control_utf8.c \
	vmm/control/control_answer.c vmm/control/control_json.c vmm/control/control_lines.c \
	vmm/control/control_dispatch.c vmm/control/control_human.c vmm/config/config_values.c
fuzz_control_OPTS := -max_len=16384 -timeout=5

fuzz_i8042_SRCS := vmm/legacy/i8042.c vmm/legacy/ps2_kbd.c vmm/io_bus.c tests/fuzz/fuzz_log.c
fuzz_i8042_LIBS := -lpthread
fuzz_i8042_OPTS := -max_len=4096 -timeout=5

fuzz_pci_SRCS := vmm/pci/pci.c vmm/io_bus.c tests/fuzz/fuzz_log.c
fuzz_pci_LIBS := -lpthread
fuzz_pci_OPTS := -max_len=4096 -timeout=5

fuzz_e1000_tx_SRCS := $(wildcard vmm/nic/e1000*.c) vmm/nic/offload.c vmm/guest_mem.c vmm/util/iov.c
fuzz_e1000_tx_LIBS := -lpthread
fuzz_e1000_tx_OPTS := -max_len=8192 -timeout=10

fuzz_rtl8139_SRCS := $(wildcard vmm/nic/rtl8139*.c) vmm/nic/offload.c vmm/guest_mem.c vmm/util/iov.c
fuzz_rtl8139_LIBS := -lpthread
fuzz_rtl8139_OPTS := -max_len=8192 -timeout=10

# Extracts into a fresh directory in /dev/shm (FUZZ_DIR=... to change that) per input.
fuzz_tar_extract_SRCS := vmm/transfer/tar_extract.c vmm/transfer/tar_read.c vmm/transfer/tar_pax.c \
	vmm/transfer/tar_format.c vmm/transfer/extract_fs.c vmm/transfer/extract_marks.c \
	vmm/transfer/extract_path.c
fuzz_tar_extract_OPTS := -max_len=16384 -timeout=10

fuzz_passt_stream_SRCS := vmm/backend/passt_stream.c vmm/util/iov.c
fuzz_passt_stream_OPTS := -max_len=200000 -timeout=5

FUZZ_CFLAGS := -std=gnu11 -O1 -g -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
	-fno-omit-frame-pointer -Ivmm -Itests/unit -Itests/fuzz
FUZZ_HDRS := $(wildcard tests/fuzz/*.h tests/unit/fake_ring.h tests/unit/virtio_driver.h \
	tests/unit/e1000_fake.h \
	vmm/*.h vmm/*/*.h)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(OUT)/fuzz/fuzz_%)
FUZZ_REPLAYS := $(FUZZ_TARGETS:%=$(OUT)/tests/test_fuzz_%)

define fuzz_rules
$(OUT)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(fuzz_$(1)_SRCS) $$(fuzz_$(1)_DEPS) \
		$$(FUZZ_HDRS)
	@mkdir -p $$(dir $$@)
	clang $$(FUZZ_CFLAGS) $$(fuzz_$(1)_DEFS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $$@ tests/fuzz/fuzz_$(1).c $$(fuzz_$(1)_SRCS) \
		$$(fuzz_$(1)_LIBS)

$(OUT)/tests/test_fuzz_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/replay.c $$(fuzz_$(1)_SRCS) \
		$$(fuzz_$(1)_DEPS) $$(FUZZ_HDRS)
	@mkdir -p $$(dir $$@)
	gcc $$(UNIT_CFLAGS) -Itests/fuzz $$(fuzz_$(1)_DEFS) \
		-DFUZZ_REPLAY_DIRS='"$$(fuzz_$(1)_SEEDS)"' -o $$@ tests/fuzz/fuzz_$(1).c tests/fuzz/replay.c $$(fuzz_$(1)_SRCS) $$(fuzz_$(1)_LIBS)

# One target, FUZZ_SECONDS long; FUZZ_FLAGS adds libFuzzer options (-jobs=, -runs=...).
.PHONY: fuzz-$(1)
fuzz-$(1): $(OUT)/fuzz/fuzz_$(1)
	@mkdir -p $(OUT)/fuzz/corpus/$(1) $(OUT)/fuzz/$(1)
	nice -n 10 $$< -max_total_time=$$(FUZZ_SECONDS) -rss_limit_mb=2048 $$(fuzz_$(1)_OPTS) \
		$$(if $$(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict) $$(FUZZ_FLAGS) \
		-artifact_prefix=$(OUT)/fuzz/$(1)/ $(OUT)/fuzz/corpus/$(1) $$(fuzz_$(1)_SEEDS)

# Line and branch coverage of the target's sources by its seeds and what runs found:
# built with clang's source-based coverage and replay.c, report on stdout.
$(OUT)/fuzz/cov_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/replay.c $$(fuzz_$(1)_SRCS) \
		$$(fuzz_$(1)_DEPS) $$(FUZZ_HDRS)
	@mkdir -p $$(dir $$@)
	clang $$(FUZZ_CFLAGS) $$(fuzz_$(1)_DEFS) -fprofile-instr-generate -fcoverage-mapping \
		-DFUZZ_REPLAY_DIRS='""' -o $$@ tests/fuzz/fuzz_$(1).c tests/fuzz/replay.c \
		$$(fuzz_$(1)_SRCS) $$(fuzz_$(1)_LIBS)

.PHONY: fuzz-cov-$(1)
fuzz-cov-$(1): $(OUT)/fuzz/cov_$(1)
	@mkdir -p $(OUT)/fuzz/corpus/$(1)
	LLVM_PROFILE_FILE=$(OUT)/fuzz/cov_$(1).profraw $$< $$(fuzz_$(1)_SEEDS) $(OUT)/fuzz/corpus/$(1) \
		>/dev/null
	llvm-profdata merge -o $(OUT)/fuzz/cov_$(1).profdata $(OUT)/fuzz/cov_$(1).profraw
	llvm-cov report $$< -instr-profile=$(OUT)/fuzz/cov_$(1).profdata $$(fuzz_$(1)_SRCS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval fuzz_$(t)_SEEDS ?= tests/fuzz/corpus/$(t)) \
	$(eval $(call fuzz_rules,$(t))))

# Every target in turn; a crash in one does not keep the others from running.
.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@failed=; for t in $(FUZZ_TARGETS); do \
		echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
		$(MAKE) --no-print-directory fuzz-$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashed:$$failed (see $(OUT)/fuzz/)"; exit 1; fi

# The replays are unit tests: tests/run-all runs every out/tests/test_*.
unit-test test: $(FUZZ_REPLAYS)
