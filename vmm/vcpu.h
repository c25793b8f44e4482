/* One thread per vCPU looping on KVM_RUN and routing its exits to the I/O buses. */
#ifndef CAPSULE_VCPU_H
#define CAPSULE_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>

#include "vm.h"

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;	/* shared with KVM: exit reason and data */
	pthread_t thread;
};

/* Create vCPU ID of NCPUS with its CPUID. vCPU 0 starts at the reset vector. Dies on failure. */
void vcpu_create(struct vcpu *vcpu, struct vm *vm, unsigned id, unsigned ncpus,
		 const struct kvm_cpuid2 *supported_cpuid);

/* Start the vCPU's thread. Dies on failure. */
void vcpu_start(struct vcpu *vcpu);

#endif
