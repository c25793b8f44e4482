/* The jump into the kernel. */
#ifndef FW_LINUX_ENTRY_H
#define FW_LINUX_ENTRY_H

#include <stdint.h>

/*
 * Enters the kernel's 64-bit entry point with %rsi = zero_page, as the
 * Linux 64-bit boot protocol asks (CS/DS/ES/SS are already set by entry.S).
 */
__attribute__((noreturn)) void linux_enter(uint64_t entry, uint64_t zero_page);

#endif
