/* The i8042 keyboard controller, only as far as its reset line: how Linux reboots with reboot=k. */
#ifndef CAPSULE_I8042_H
#define CAPSULE_I8042_H

#include "vm.h"

/* Claim ports 0x60 and 0x64; command 0xfe (pulse reset) ends the VM. Dies on failure. */
void i8042_init(struct vm *vm);

#endif
