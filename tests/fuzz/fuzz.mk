# The libFuzzer target over qcow2 image opening and reads (clang, ASan, UBSan).
# `make fuzz` runs it for FUZZ_SECONDS from the seed corpus and the corrupt images;
# what it finds new goes to $(OUT)/fuzz/corpus, crashes to $(OUT)/fuzz/. Images are
# written in /dev/shm (FUZZ_DIR=... to change that).

FUZZ_SECONDS ?= 60
FUZZ_BIN := $(OUT)/fuzz/fuzz_qcow2_open
FUZZ_SRCS := tests/fuzz/fuzz_qcow2_open.c $(wildcard vmm/backend/block*.c) \
	vmm/backend/disk_raw.c $(wildcard vmm/backend/qcow2_*.c) vmm/util/iov.c vmm/log.c

$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard vmm/*.h vmm/backend/*.h)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -O1 -g -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Ivmm \
		-o $@ $(FUZZ_SRCS) -lz -lpthread

.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	@mkdir -p $(OUT)/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=$(OUT)/fuzz/ $(OUT)/fuzz/corpus tests/fuzz/corpus tests/qcow2/corrupt
