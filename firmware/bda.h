/* The BIOS data area words Linux still reads on a PC. */
#ifndef FW_BDA_H
#define FW_BDA_H

/* Declares the EBDA at BOOT_LOWMEM_END and 639 KiB of base memory. */
void bda_write(void);

#endif
