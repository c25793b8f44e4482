/* What a legacy NIC model needs from the VM: guest RAM, its interrupt line, its network backend. */
#ifndef CAPSULE_NIC_HOST_H
#define CAPSULE_NIC_HOST_H

#include <stdbool.h>

#include "backend/net.h"
#include "guest_mem.h"

struct nic_host {
	struct guest_mem *mem;			/* DMA: every address and length checked here */
	void (*set_irq)(void *opaque, bool level);	/* INTx: level-triggered, asserted while true */
	void *opaque;
	struct net_backend *be;			/* queue 0 only */
};

#endif
