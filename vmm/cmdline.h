/* The guest kernel's command line: console, reboot method, and what init should run. */
#ifndef CAPSULE_CMDLINE_H
#define CAPSULE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Build the command line into BUF: the base options (pci=off unless PCI), DEVICES (the
 * virtio_mmio.device= words), then for a workload "capsule.argv=" with each
 * of ARGV hex-encoded (comma-separated; init decodes it) and "capsule.tty=1"
 * when the host side is a terminal, then APPEND. ARGV NULL means a shell.
 * Returns 0, or -1 when it does not fit.
 */
int cmdline_build(char *buf, size_t size, char *const *argv, bool tty, bool pci,
		  const char *devices, const char *append);

#endif
