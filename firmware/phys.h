/* Turning a guest-physical address into a pointer (RAM is identity-mapped). */
#ifndef FW_PHYS_H
#define FW_PHYS_H

#include <stdint.h>

/*
 * The empty asm hides the constant from the compiler, which otherwise
 * treats pointers made from small integers (the BIOS data area at 0x400)
 * as pointing to nothing and warns about every access.
 */
static inline void *phys_ptr(uint64_t addr)
{
	void *p = (void *)(uintptr_t)addr;

	__asm__("" : "+r"(p));
	return p;
}

#endif
