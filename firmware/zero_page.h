/* The Linux zero page (struct boot_params) handed to the kernel in %rsi. */
#ifndef FW_ZERO_PAGE_H
#define FW_ZERO_PAGE_H

#include "boot_info.h"

/* Fills the 4 KiB at zero_page from a boot-info block that passed boot_info_check. */
void zero_page_write(const struct boot_info *bi, void *zero_page);

#endif
