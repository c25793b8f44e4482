/* The guest kernel's command line: console, reboot method, devices, and where init finds its request. */
#ifndef CAPSULE_CMDLINE_H
#define CAPSULE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Build the command line into BUF: the base options (pci=off unless PCI;
 * quieter still for a WORKLOAD, whose output is the user's), DEVICES (the
 * virtio_mmio.device= words), "capsule.request" (init reads what to run from
 * the virtio port of that name: no size limit there, unlike here), then
 * APPEND. Returns 0, or -1 when it does not fit.
 */
int cmdline_build(char *buf, size_t size, bool workload, bool pci, const char *devices,
		  const char *append);

#endif
