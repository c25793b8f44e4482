/* The jump into the kernel's 64-bit entry point, following the Linux 64-bit boot protocol. */
#include "linux_entry.h"

/*
 * The protocol wants interrupts off, __BOOT_CS/__BOOT_DS loaded (done in
 * entry.S and never changed since), identity-mapped kernel, zero page and
 * command line (all below 4 GiB here) and %rsi = the zero page.
 */
void linux_enter(uint64_t entry, uint64_t zero_page)
{
	__asm__ volatile("cli\n\t"
			 "cld\n\t"
			 "jmp *%0"
			 :
			 : "r"(entry), "S"(zero_page)
			 : "memory");
	__builtin_unreachable();
}
