/* The guest's NICs: each [net NAME]'s backend, the device model in front of it, and what init is told. */
#ifndef CAPSULE_NICS_H
#define CAPSULE_NICS_H

#include <stddef.h>

#include "backend/net.h"
#include "config/config.h"
#include "pci_nics.h"
#include "virtio/virtio_bus.h"
#include "virtio/virtio_net.h"

struct nics {
	unsigned n;
	struct net_backend *backends[CONFIG_NETS_MAX];
	struct virtio_net devices[CONFIG_NETS_MAX];	/* model = virtio */
	struct pci_nics pci;				/* model = e1000, rtl8139 */
};

/*
 * Open every NIC's backend (tap devices, bridges), before KVM is touched.
 * Dies with "[net NAME] cause", status 2, on the first failure; what earlier
 * NICs set up is undone on the way out.
 */
void nics_open(struct nics *nics, const struct config *cfg);

/*
 * Put each [net]'s model in front of its backend: virtio-net on BUS, the
 * others on a PCI bus. Returns whether the VM has PCI devices (the bus is
 * then on the VM's buses, and the kernel must look for it).
 */
bool nics_add(struct nics *nics, struct virtio_bus *bus, struct event_loop *loop,
	      const struct config *cfg);

/*
 * After the VM stopped: one line per virtio-net NIC that lost frames, saying
 * how many each way (none is normal; a full tap only delays frames).
 */
void nics_report(const struct nics *nics, const struct config *cfg);

/*
 * At the end, after the VM stopped (the I/O thread's policy): each user-mode
 * NIC's passt is stopped and reaped, so none outlives capsule. Taps need
 * nothing (their fds close; the cleanup process puts existing ones back).
 */
void nics_stop_user(struct nics *nics, const struct config *cfg);

/*
 * The kernel command-line words telling init how to configure each NIC,
 * "capsule.net=MAC[,ADDR/PREFIX[,GATEWAY]]", space-separated, into BUF, and
 * "capsule.dns=ADDR" after them when a NIC is user-mode (passt's DNS).
 * Returns 0, or -1 when BUF is too small.
 */
int nics_cmdline(const struct config *cfg, char *buf, size_t size);

#endif
