/* CPUID for each vCPU: what KVM supports, with the topology and APIC ID filled in. */
#ifndef CAPSULE_CPU_X86_H
#define CAPSULE_CPU_X86_H

#include <linux/kvm.h>

/* KVM_GET_SUPPORTED_CPUID; dies on failure (start-up only). Free with free(). */
struct kvm_cpuid2 *cpu_x86_supported_cpuid(int kvm_fd);

/*
 * Patch a copy of SUPPORTED for vCPU ID of NCPUS (APIC ID, logical CPU count,
 * hypervisor bit) and load it into VCPU_FD. Dies on failure.
 */
void cpu_x86_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported, unsigned id,
		       unsigned ncpus);

#endif
