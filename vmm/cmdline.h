/* The guest kernel's command line: console, reboot method, devices. */
#ifndef CAPSULE_CMDLINE_H
#define CAPSULE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Build the command line into BUF: the base options (pci=off unless PCI;
 * quieter still for a WORKLOAD, whose output is the user's), DEVICES (the
 * virtio_mmio.device= words), then APPEND. What init is to run is not
 * here, where the size is limited, but in a file of the initramfs
 * (vmm/abi/run_request.h). Returns 0, or -1 when it does not fit.
 */
int cmdline_build(char *buf, size_t size, bool workload, bool pci, const char *devices,
		  const char *append);

#endif
