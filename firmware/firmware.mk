# Builds the guest firmware ROM, $(OUT)/firmware.bin: exactly 64 KiB, mapped at 0xffff0000.
# Standalone: make -f firmware/firmware.mk out/firmware.bin (from the top of the tree).
# Included: the top-level Makefile may set OUT first; everything else here is FW_-prefixed.

# Decided before any include below adds to MAKEFILE_LIST.
fw_standalone := $(filter 1,$(words $(MAKEFILE_LIST)))
fw_prev_goal := $(.DEFAULT_GOAL)

OUT ?= out
FW_CC ?= gcc
FW_LD ?= ld
FW_OBJCOPY ?= objcopy

FW_SRCS := firmware/entry.S firmware/main.c firmware/boot_info_check.c \
	firmware/zero_page.c firmware/bda.c firmware/board.c firmware/mptable.c \
	firmware/linux_entry.c firmware/serial.c firmware/string.c
FW_OBJS := $(patsubst firmware/%,$(OUT)/firmware/%.o,$(basename $(FW_SRCS)))

# Runs at 0xffff0000 in long mode: RIP-relative code (-fpie) with hidden
# symbols so nothing goes through a GOT (the address does not fit the
# default code model's sign-extended 32 bits); integer registers only
# (nothing sets up SSE state); no red zone, no libc, and no turning loops
# into memset calls (memset itself is one of those loops).
FW_CFLAGS := -std=gnu11 -Os -g -Wall -Wextra -Werror=implicit-function-declaration \
	-ffreestanding -fno-builtin -fno-common \
	-m64 -mno-red-zone -mgeneral-regs-only -fpie -fvisibility=hidden \
	-fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-tree-loop-distribute-patterns \
	-Ivmm/abi -MMD -MP
FW_ASFLAGS := -m64 -Ivmm/abi -MMD -MP
# A static, non-PIE link at the run address: a relocation that does not fit
# (say, an absolute 32-bit one to 0xffff....) fails here instead of at boot.
FW_LDFLAGS := -m elf_x86_64 -static -nostdlib --no-dynamic-linker -z noexecstack \
	--build-id=none -T firmware/rom.ld

$(OUT)/firmware.bin: $(OUT)/firmware/firmware.elf
	$(FW_OBJCOPY) -O binary $< $@.tmp
	@size=$$(wc -c <$@.tmp); [ "$$size" -eq 65536 ] || \
		{ echo "firmware: $@ is $$size bytes, want 65536" >&2; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

$(OUT)/firmware/firmware.elf: $(FW_OBJS) firmware/rom.ld
	$(FW_LD) $(FW_LDFLAGS) -o $@ $(FW_OBJS)

$(OUT)/firmware/%.o: firmware/%.c
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) -c -o $@ $<

$(OUT)/firmware/%.o: firmware/%.S
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ASFLAGS) -c -o $@ $<

-include $(FW_OBJS:.o=.d)

# Alone, build the ROM by default; included, leave the includer's default goal alone.
ifeq ($(fw_standalone),1)
.DEFAULT_GOAL := $(OUT)/firmware.bin
else
.DEFAULT_GOAL := $(fw_prev_goal)
endif
