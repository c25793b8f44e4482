# capsule: builds the firmware, the initrd, the seccomp filters and the static monitor with everything embedded.
# `make` builds, `make run` boots the appliance, `make test` runs every test, `make bench` measures.

OUT ?= out
# build.sh installs packages and builds the kernel and zlib; it writes out/deps.mk.
-include $(OUT)/deps.mk

CC_MUSL := musl-gcc
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE
KHDR := $(OUT)/kernel-headers
VMM_CFLAGS := $(CFLAGS_COMMON) -isystem $(KHDR) -isystem $(ZLIB_DIR)/include -Ivmm -Iseccomp -MMD -MP

VMM_SRCS := $(wildcard vmm/*.c vmm/config/*.c vmm/control/*.c vmm/legacy/*.c vmm/backend/*.c \
	vmm/sandbox/*.c vmm/util/*.c vmm/virtio/*.c vmm/pci/*.c vmm/nic/*.c vmm/transfer/*.c)
VMM_OBJS := $(VMM_SRCS:%.c=$(OUT)/%.o)
INIT_SRCS := $(wildcard initrd/*.c)

.PHONY: all run test unit-test acceptance-test bench clean distclean images images-check
all: $(OUT)/capsule

$(OUT)/deps.mk: build.sh images/kernel.config
	./build.sh

include firmware/firmware.mk
include seccomp/seccomp.mk

# musl has no Linux UAPI headers of its own; borrow the system's (DESIGN.md).
$(KHDR)/.stamp:
	mkdir -p $(KHDR)
	ln -sfn /usr/include/linux $(KHDR)/linux
	ln -sfn /usr/include/x86_64-linux-gnu/asm $(KHDR)/asm
	ln -sfn /usr/include/asm-generic $(KHDR)/asm-generic
	touch $@

$(OUT)/vmm/%.o: vmm/%.c $(KHDR)/.stamp | $(OUT)/deps.mk
	@mkdir -p $(dir $@)
	$(CC_MUSL) $(VMM_CFLAGS) -c $< -o $@

# The kernel capsule embeds: vmlinux without the padding between its segments.
# deps.mk too: switching back to an older cached kernel changes the path, not a newer file.
$(OUT)/vmlinux: $(KERNEL_IMAGE) images/pack-vmlinux.py $(OUT)/deps.mk
	python3 images/pack-vmlinux.py $(KERNEL_IMAGE) $@

$(OUT)/vmm/blobs.o: vmm/blobs.S $(OUT)/firmware.bin $(OUT)/initrd.cpio images/default.conf $(OUT)/vmlinux
	@mkdir -p $(dir $@)
	$(CC_MUSL) -c $< -o $@ -DFIRMWARE_PATH='"$(OUT)/firmware.bin"' -DKERNEL_PATH='"$(OUT)/vmlinux"' \
		-DINITRD_PATH='"$(OUT)/initrd.cpio"' -DDEFAULT_CONF_PATH='"images/default.conf"'

$(OUT)/capsule: $(VMM_OBJS) $(OUT)/vmm/blobs.o $(OUT)/seccomp/filters.o
	$(CC_MUSL) -static -o $@ $^ $(ZLIB_DIR)/lib/libz.a -lpthread
	@file $@ | grep -q 'statically linked' || { echo "$@ is not statically linked" >&2; exit 1; }

$(OUT)/init: $(INIT_SRCS) initrd/init.h $(wildcard vmm/abi/*.h) | $(OUT)/deps.mk
	@mkdir -p $(dir $@)
	$(CC_MUSL) $(CFLAGS_COMMON) -static -Os -Ivmm -o $@ $(INIT_SRCS)

# Small static tools the benchmarks run in the guest.
$(OUT)/randio: initrd/tools/randio.c | $(OUT)/deps.mk
	@mkdir -p $(dir $@)
	$(CC_MUSL) $(CFLAGS_COMMON) -static -Os -o $@ $<

$(OUT)/ethtool: initrd/tools/ethtool.c $(KHDR)/.stamp | $(OUT)/deps.mk
	@mkdir -p $(dir $@)
	$(CC_MUSL) $(CFLAGS_COMMON) -static -Os -isystem $(KHDR) -o $@ $<

$(OUT)/initrd.cpio: $(OUT)/init $(OUT)/randio $(OUT)/ethtool initrd/mkinitrd.sh
	initrd/mkinitrd.sh $(OUT)/init $(BUSYBOX) $@ $(OUT)/randio $(OUT)/ethtool

# Boot the appliance: directly with hardware KVM, otherwise inside the emulated KVM host.
run: $(OUT)/capsule
	@if [ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ]; then exec $(OUT)/capsule; \
	else echo "capsule: this machine has no hardware KVM; booting capsule inside an emulated KVM host (slow)"; \
	exec tests/kvm-host --console $(OUT)/capsule; fi

# Root filesystem images for `capsule run --image` (images/build-image.sh; cached by
# their inputs, so a second run is quick). images-check builds the recipe afresh and checks it.
IMAGES := debian-bookworm
images: | $(OUT)/deps.mk
	@for i in $(IMAGES); do images/build-image.sh --out $(OUT)/images $$i || exit 1; done

images-check: $(OUT)/images/test.qcow2 | $(OUT)/deps.mk
	tests/images/test_images.sh --full $(OUT)/images

include tests/tests.mk
include tests/fuzz/fuzz.mk

clean:
	rm -rf $(OUT)/vmm $(OUT)/firmware $(OUT)/seccomp $(OUT)/tests $(OUT)/capsule $(OUT)/init \
		$(OUT)/initrd.cpio $(OUT)/firmware.bin

distclean:
	rm -rf $(OUT)

-include $(VMM_OBJS:.o=.d)
