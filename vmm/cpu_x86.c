/* CPUID for each vCPU: what KVM supports, with the topology and APIC ID filled in. */
#include "cpu_x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"

#define CPUID_ENTRIES_MAX 512
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

static size_t cpuid_bytes(unsigned n)
{
	return sizeof(struct kvm_cpuid2) + n * sizeof(struct kvm_cpuid_entry2);
}

struct kvm_cpuid2 *cpu_x86_supported_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *c = calloc(1, cpuid_bytes(CPUID_ENTRIES_MAX));

	if (!c)
		die("out of memory");
	c->nent = CPUID_ENTRIES_MAX;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	/*
	 * KVM emulates the LAPIC's TSC-deadline mode but leaves announcing it to
	 * the VMM. With it the guest skips calibrating the LAPIC timer against
	 * the PIT (a tenth of a second of ticks and port I/O at every boot).
	 */
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0) {
		for (unsigned i = 0; i < c->nent; i++)
			if (c->entries[i].function == 1)
				c->entries[i].ecx |= CPUID_1_ECX_TSC_DEADLINE;
	}
	return c;
}

/* Bits needed to number N things: the x2APIC ID shift of a topology level. */
static unsigned order(unsigned n)
{
	unsigned s = 0;

	while ((1u << s) < n)
		s++;
	return s;
}

static void patch_entry(struct kvm_cpuid_entry2 *e, unsigned id, unsigned ncpus)
{
	switch (e->function) {
	case 1:
		/* Initial APIC ID and the count of logical CPUs in the package. */
		e->ebx = (e->ebx & 0xffff) | (ncpus << 16) | (id << 24);
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		if (ncpus > 1)
			e->edx |= CPUID_1_EDX_HTT;
		break;
	case 0xb:
		/* Extended topology: one thread per core, NCPUS cores in one package. */
		e->edx = id;
		if (e->index == 0) {
			e->eax = 0;
			e->ebx = 1;
			e->ecx = 1u << 8;
		} else if (e->index == 1) {
			e->eax = order(ncpus);
			e->ebx = ncpus;
			e->ecx = 2u << 8 | 1;
		} else {
			e->eax = e->ebx = 0;
			e->ecx = e->index;
		}
		break;
	case 0x80000008:
		/* AMD: cores per package minus one, and the APIC ID bits they use. */
		e->ecx = (e->ecx & ~0xf0ffu) | (order(ncpus) << 12) | (ncpus - 1);
		break;
	case 0x8000001e:
		e->eax = id;	/* AMD extended APIC ID */
		break;
	}
}

void cpu_x86_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported, unsigned id,
		       unsigned ncpus)
{
	size_t bytes = cpuid_bytes(supported->nent);
	struct kvm_cpuid2 *c = malloc(bytes);

	if (!c)
		die("out of memory");
	memcpy(c, supported, bytes);
	for (unsigned i = 0; i < c->nent; i++)
		patch_entry(&c->entries[i], id, ncpus);
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2 on vCPU %u: %s", id, strerror(errno));
	free(c);
}
