/* One thread per vCPU looping on KVM_RUN and routing its exits to the I/O buses. */
#ifndef CAPSULE_VCPU_H
#define CAPSULE_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "vm.h"

/* Sent to a vCPU thread to get it out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;	/* shared with KVM: exit reason and data */
	pthread_t thread;
	bool started;
	bool stopping;		/* vcpu_stop() was called: leave the loop (atomic) */
	bool pausing;		/* vcpu_pause() was called: stay out of KVM_RUN (atomic) */
	bool in_run;		/* inside KVM_RUN, or about to enter it (atomic) */
	pthread_mutex_t park_lock;	/* with park_cond: waits for pausing or in_run to change */
	pthread_cond_t park_cond;
};

/* Create vCPU ID of NCPUS with its CPUID. vCPU 0 starts at the reset vector. Dies on failure. */
void vcpu_create(struct vcpu *vcpu, struct vm *vm, unsigned id, unsigned ncpus,
		 const struct kvm_cpuid2 *supported_cpuid);

/* Start the vCPU's thread. Dies on failure. */
void vcpu_start(struct vcpu *vcpu);

/*
 * Make the vCPU's thread leave its loop: out of KVM_RUN at once (a signal,
 * and immediate_exit for the window before it enters), or after the exit it
 * is handling. Any thread; does not wait.
 */
void vcpu_stop(struct vcpu *vcpu);

/*
 * Make the vCPU leave KVM_RUN as vcpu_stop() does, and wait (parked, in its
 * thread) until vcpu_resume(). An exit it is handling is finished first. Any
 * thread; does not wait (vcpu_wait_paused() does).
 */
void vcpu_pause(struct vcpu *vcpu);

/*
 * Wait until the paused vCPU is out of KVM_RUN, TIMEOUT_MS at most: 0, or
 * -ETIMEDOUT. It may still be finishing an exit in a device (a UART write
 * waiting for a slow terminal, say), but will not enter the guest again, nor
 * hold the vCPU fd, until vcpu_resume(). KVM_RUN itself ends within
 * microseconds of the kick.
 */
int vcpu_wait_paused(struct vcpu *vcpu, unsigned timeout_ms);

/* Let a paused vCPU run the guest again. Any thread. */
void vcpu_resume(struct vcpu *vcpu);

/*
 * Wait for the stopped vCPU's thread to end, TIMEOUT_MS at most. Returns 0,
 * or -ETIMEDOUT when it is still inside a device (the caller must then keep
 * the devices it can reach usable).
 */
int vcpu_join(struct vcpu *vcpu, unsigned timeout_ms);

#endif
