/* The guest's clocks across a pause: kvmclock and every vCPU's TSC stand still while the VM is paused. */
#include "guest_clock.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <x86intrin.h>

#include "log.h"

static int tsc_offset(const struct vcpu *vcpu, unsigned long request, uint64_t *offset)
{
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET, .addr = (uintptr_t)offset,
	};

	return ioctl(vcpu->fd, request, &attr) < 0 ? -errno : 0;
}

int guest_clock_save(struct guest_clock *gc, int vm_fd, const struct vcpu *vcpus, unsigned n)
{
	struct kvm_clock_data clock;

	memset(gc, 0, sizeof(*gc));
	memset(&clock, 0, sizeof(clock));
	if (ioctl(vm_fd, KVM_GET_CLOCK, &clock) < 0)
		return -errno;
	/* Right after the clock: the pause's TSC ticks are counted from here. */
	gc->host_tsc = __rdtsc();
	gc->kvmclock_ns = clock.clock;
	gc->have_tsc = n <= CONFIG_VCPUS_MAX;
	for (unsigned i = 0; i < n && gc->have_tsc; i++)
		gc->have_tsc = tsc_offset(&vcpus[i], KVM_GET_DEVICE_ATTR, &gc->tsc_offset[i]) == 0;
	log_debug("paused: kvmclock %llu ns, flags %#x, TSC offsets %s",
		  (unsigned long long)clock.clock, clock.flags, gc->have_tsc ? "saved" : "unknown");
	return 0;
}

int guest_clock_restore(const struct guest_clock *gc, int vm_fd, const struct vcpu *vcpus,
			unsigned n)
{
	struct kvm_clock_data clock;
	/* One reading for every vCPU: offsets that matched before still match. */
	uint64_t paused_ticks = __rdtsc() - gc->host_tsc;
	int ret;

	for (unsigned i = 0; i < n && gc->have_tsc; i++) {
		uint64_t offset = gc->tsc_offset[i] - paused_ticks;

		ret = tsc_offset(&vcpus[i], KVM_SET_DEVICE_ATTR, &offset);
		if (ret < 0)
			return ret;
	}
	/* No KVM_CLOCK_REALTIME: KVM would add the time since the save, which is what we take out. */
	memset(&clock, 0, sizeof(clock));
	clock.clock = gc->kvmclock_ns;
	if (ioctl(vm_fd, KVM_SET_CLOCK, &clock) < 0)
		return -errno;
	log_debug("resumed: %llu TSC ticks paused", (unsigned long long)paused_ticks);
	return 0;
}
