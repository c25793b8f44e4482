/* The boot sequence: check the boot-info block, write what Linux reads, enter the kernel. */
#include "boot_info.h"
#include "guest_port.h"
#include "bda.h"
#include "board.h"
#include "boot_info_check.h"
#include "entry.h"
#include "io.h"
#include "linux_entry.h"
#include "mptable.h"
#include "phys.h"
#include "serial.h"
#include "zero_page.h"

_Static_assert(ENTRY_PAGE_TABLES == BOOT_PAGE_TABLES_ADDR, "entry.h disagrees with boot_info.h");
_Static_assert(ENTRY_STACK_TOP == BOOT_STACK_TOP, "entry.h disagrees with boot_info.h");

/* One line on the console for people, one port write for the monitor, then stop. */
static __attribute__((noreturn)) void fail_boot_info(const char *why)
{
	serial_puts("capsule firmware: bad boot-info block: ");
	serial_puts(why);
	serial_puts("\n");
	outb(GUEST_PORT_FAIL, GUEST_FAIL_BOOT_INFO);
	halt_forever();
}

void fw_main(void)
{
	const struct boot_info *bi = phys_ptr(BOOT_INFO_ADDR);
	struct mp_layout layout;
	struct board_storage board;
	const char *why;

	why = boot_info_check(bi);
	if (why)
		fail_boot_info(why);
	zero_page_write(bi, phys_ptr(BOOT_ZERO_PAGE_ADDR));
	bda_write();
	board_mp_layout(&layout, &board, board_cfg_read);
	if (mptable_write(bi->ncpus, &layout) != 0)
		fail_boot_info("MP table does not fit for this many CPUs and IRQs");
	/* One exit, and only when the monitor times the boot (--boot-time). */
	if (bi->flags & BOOT_INFO_MARK_KERNEL)
		outb(GUEST_PORT_MARK, GUEST_MARK_KERNEL);
	linux_enter(bi->kernel_entry, BOOT_ZERO_PAGE_ADDR);
}
