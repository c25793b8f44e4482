/* Constants shared by entry.S and the C code (assembler-safe: no C types here). */
#ifndef FW_ENTRY_H
#define FW_ENTRY_H

/*
 * GDT selectors. The Linux 64-bit boot protocol wants __BOOT_CS = 0x10 and
 * __BOOT_DS = 0x18, flat, at the jump to the kernel; 0x08 is only used for
 * the short stretch of 32-bit code that builds the page tables.
 */
#define SEL_CODE32 0x08
#define SEL_CODE64 0x10
#define SEL_DATA 0x18

/* The ROM's link and run address: the top 64 KiB below 4 GiB. */
#define ROM_BASE 0xffff0000

/*
 * Copies of boot_info.h addresses: that header declares C structs, so
 * entry.S cannot include it. main.c checks that the two agree.
 */
#define ENTRY_PAGE_TABLES 0x1000
#define ENTRY_STACK_TOP 0x80000

#ifndef __ASSEMBLER__
/* The boot sequence, in main.c: entry.S calls it in long mode on the firmware stack. */
__attribute__((noreturn)) void fw_main(void);
#endif

#endif
