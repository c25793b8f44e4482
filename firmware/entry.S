/* Reset vector and the mode switches: real mode -> 32-bit protected mode -> long mode -> C. */
#include "entry.h"

#define CR0_PE (1 << 0)
#define CR0_NW (1 << 29)
#define CR0_CD (1 << 30)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

#define PTE_PRESENT (1 << 0)
#define PTE_WRITE (1 << 1)
#define PTE_LARGE (1 << 7)	/* in a page directory: a 2 MiB page */

/* PML4, PDPT and four page directories, one page each, back to back. */
#define PML4 ENTRY_PAGE_TABLES
#define PDPT (PML4 + 0x1000)
#define PD0 (PDPT + 0x1000)
#define PT_BYTES (6 * 0x1000)
#define PD_ENTRIES (4 * 512)	/* 4 GiB in 2 MiB pages */

/*
 * Real mode runs with CS base 0xffff0000, so a %cs-relative operand needs
 * the offset inside the ROM; the linker checks it fits in 16 bits.
 */
#define ROM_OFFSET(sym) ((sym) - ROM_BASE)

	.section .text16, "ax"
	.code16
start16:
	cli
	cld
	lgdtl %cs:ROM_OFFSET(gdt_desc)
	movl %cr0, %eax
	/* Turn caches on (reset leaves CD/NW set): the kernel decompresses with this CR0. */
	andl $~(CR0_CD | CR0_NW), %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $start32

	/* The CPU starts here: CS:IP = f000:fff0, linear 0xfffffff0. rom.ld places it. */
	.section .reset, "ax"
	.code16
	.globl reset_vector
reset_vector:
	jmp start16

	.text
	.code32
start32:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	/* Zero all six table pages first: upper halves and unused entries stay 0. */
	movl $PML4, %edi
	xorl %eax, %eax
	movl $(PT_BYTES / 4), %ecx
	rep stosl

	movl $(PDPT | PTE_PRESENT | PTE_WRITE), PML4

	/* PDPT[0..3] -> the four page directories (one per GiB). */
	movl $PDPT, %edi
	movl $(PD0 | PTE_PRESENT | PTE_WRITE), %eax
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $0x1000, %eax
	addl $8, %edi
	loop 1b

	/* 2048 identity-mapped 2 MiB pages: 0..4 GiB, so the ROM stays reachable too. */
	movl $PD0, %edi
	movl $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
	movl $PD_ENTRIES, %ecx
1:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PML4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE64, $start64

	.code64
start64:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl $ENTRY_STACK_TOP, %esp	/* zero-extends into %rsp */
	call fw_main
	/* fw_main does not return; stop quietly if it ever does. */
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 8
	/*
	 * Every descriptor has its accessed bit preset: the GDT is in ROM, and a
	 * clear bit would make the CPU write to it on the first segment load.
	 */
gdt:
	.quad 0				/* null */
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code, base 0, 4 GiB */
	.quad 0x00af9b000000ffff	/* 0x10: 64-bit code (L=1) */
	.quad 0x00cf93000000ffff	/* 0x18: data, base 0, 4 GiB, writable */
gdt_end:

	/* lgdtl operand: 16-bit limit, 32-bit linear base (the ROM is identity-mapped later). */
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .note.GNU-stack, "", @progbits
