/* A vCPU thread: KVM_RUN, and what the device models its exits reach do on it. */
#include <linux/if_tun.h>
#include <linux/kvm.h>

#include "policy.h"

const struct policy_rule policy_vcpu[] = {
	ALLOW_IOCTL(KVM_RUN),		/* the guest itself */
	ALLOW_IOCTL(KVM_GET_REGS),	/* where a crashed guest was, for the report */
	ALLOW_IOCTL(KVM_GET_SREGS),
	ALLOW_IOCTL(KVM_IRQ_LINE),	/* the UART's and i8042's interrupt lines (VM fd) */
	ALLOW_IOCTL(TUNSETOFFLOAD),	/* virtio-net activation and reset: the tap's offloads */
	ALLOW_IOCTL(TUNSETQUEUE),	/* ... and its queues */
	POLICY_END
};
