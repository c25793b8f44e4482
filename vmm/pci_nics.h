/* The emulated PCI NICs (e1000, rtl8139): each model as a PCI function, its receive on the I/O thread. */
#ifndef CAPSULE_PCI_NICS_H
#define CAPSULE_PCI_NICS_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/net.h"
#include "config/config.h"
#include "event_loop.h"
#include "nic/e1000.h"
#include "nic/rtl8139.h"
#include "pci/pci.h"
#include "vm.h"

struct pci_nic {
	enum config_net_model model;
	union {
		struct e1000 e1000;
		struct rtl8139 rtl8139;
	} u;
	struct pci_func *func;
	struct net_backend *be;
	struct event_loop *loop;
	int wake_fd;		/* eventfd: a vCPU gave the ring room again (rx_wake) */
	int timer_fd;		/* the e1000's interrupt throttle; -1 for the rtl8139 */
	bool rx_watched;	/* be->fds[0] is in the loop */
};

struct pci_nics {
	struct pci_bus bus;
	struct vm *vm;
	unsigned n;
	struct pci_nic nics[CONFIG_NETS_MAX];
};

/* How many of the config's NICs sit on PCI: their INTx lines are taken from the top down. */
unsigned pci_nics_count(const struct config *cfg);

void pci_nics_init(struct pci_nics *p, struct vm *vm);

/*
 * A MODEL (rtl8139 or e1000) NIC with MAC in front of BE, in the next PCI
 * slot; its receive and throttling timer on LOOP. Dies naming [net NAME] on
 * failure.
 */
void pci_nics_add(struct pci_nics *p, struct event_loop *loop, enum config_net_model model,
		  struct net_backend *be, const uint8_t mac[6], const char *name);

/* Put the bus on the VM's port and memory buses when it has any NIC. Returns whether it has. */
bool pci_nics_attach(struct pci_nics *p);

#endif
