/* The guest's clocks across a pause: kvmclock and every vCPU's TSC stand still while the VM is paused. */
#ifndef CAPSULE_GUEST_CLOCK_H
#define CAPSULE_GUEST_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "vcpu.h"

struct guest_clock {
	uint64_t kvmclock_ns;		/* the guest's kvmclock when it paused */
	uint64_t host_tsc;		/* the host's TSC then */
	bool have_tsc;			/* tsc_offset[] was read (KVM_VCPU_TSC_OFFSET exists) */
	uint64_t tsc_offset[CONFIG_VCPUS_MAX];	/* guest TSC = host TSC + offset, per vCPU */
};

/*
 * Note the guest's clocks. Every vCPU must be out of KVM_RUN (a vCPU still
 * running would read its clock past what we save). Returns 0, or -errno when
 * kvmclock cannot be read; a TSC offset KVM cannot give only clears have_tsc.
 */
int guest_clock_save(struct guest_clock *gc, int vm_fd, const struct vcpu *vcpus, unsigned n);

/*
 * Set the clocks back to what was saved, so the guest sees no time pass
 * while it was paused: kvmclock (KVM_SET_CLOCK) and, when they were saved,
 * the TSC offsets moved back by the host TSC ticks of the pause. The vCPUs
 * must still be out of KVM_RUN. Returns 0 or -errno.
 */
int guest_clock_restore(const struct guest_clock *gc, int vm_fd, const struct vcpu *vcpus,
			unsigned n);

#endif
