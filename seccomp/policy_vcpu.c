/* A vCPU thread: KVM_RUN, and what the device models its exits reach do on it. */
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <sys/socket.h>

#include "policy.h"

const struct policy_rule policy_vcpu[] = {
	ALLOW_IOCTL(KVM_RUN),		/* the guest itself */
	ALLOW_IOCTL(KVM_GET_REGS),	/* where a crashed guest was, for the report */
	ALLOW_IOCTL(KVM_GET_SREGS),
	ALLOW_IOCTL(KVM_IRQ_LINE),	/* the UART's, i8042's and PCI NICs' interrupt lines (VM fd) */
	ALLOW(timerfd_settime),		/* the e1000's interrupt throttle, armed by register writes */
	ALLOW_IOCTL(TUNSETOFFLOAD),	/* virtio-net activation and reset: the tap's offloads */
	ALLOW_IOCTL(TUNSETQUEUE),	/* ... and its queues */
	/* The UART's output: it waits for a full console fd, as a slow serial line would. */
	ALLOW(poll),
	ALLOW_IF(sendmsg, 2, ~0u, MSG_DONTWAIT | MSG_NOSIGNAL),	/* ... on a socket */
	POLICY_END
};
