/* Validation of the boot-info block the monitor leaves in guest RAM. */
#ifndef FW_BOOT_INFO_CHECK_H
#define FW_BOOT_INFO_CHECK_H

#include "boot_info.h"

/* Returns NULL when bi can be trusted by the later steps, else what is wrong. */
const char *boot_info_check(const struct boot_info *bi);

#endif
