/* The monitor's own I/O ports: the guest's exit status, boot milestones, guest-side failures. */
#ifndef CAPSULE_GUEST_PORT_H
#define CAPSULE_GUEST_PORT_H

#include <stdint.h>

#include "vm.h"

struct guest_port {
	struct vm *vm;
	/* A boot milestone (GUEST_MARK_*) arrived. Runs on a vCPU thread. */
	void (*on_mark)(void *opaque, uint8_t mark);
	void *opaque;
};

/* Claim the ports of abi/guest_port.h. Dies on failure. */
void guest_port_init(struct guest_port *gp, struct vm *vm,
		     void (*on_mark)(void *opaque, uint8_t mark), void *opaque);

#endif
