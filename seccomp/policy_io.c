/* The I/O thread: the event loop over eventfds, taps, passt, the console and the control socket, and the orderly end. */
#include <signal.h>

#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <sys/socket.h>

#include "policy.h"

const struct policy_rule policy_io[] = {
	ALLOW(epoll_pwait),		/* the loop (musl's epoll_wait) */
	ALLOW(epoll_wait),
	ALLOW(epoll_ctl),		/* fds joining and leaving it: stdin, tap queues */
	ALLOW(read),			/* eventfds, signalfd, stdin, taps */
	ALLOW_IF(recvfrom, 3, ~0u, MSG_DONTWAIT),	/* stdin on a socket, never waiting */
	/* Guest output: to a socket without waiting; poll() when the loop cannot watch the fd. */
	ALLOW_IF(sendmsg, 2, ~0u, MSG_DONTWAIT | MSG_NOSIGNAL),
	ALLOW(poll),
	ALLOW(readv),			/* frames from a tap */
	ALLOW_IOCTL(TUNSETOFFLOAD),	/* the guest's control queue: receive offloads */
	ALLOW_IOCTL(TUNSETQUEUE),	/* ... and queue pairs */
	ALLOW_IOCTL(TCSETS),		/* the terminal back as it was */
	ALLOW_IOCTL(TCSETSW),
	ALLOW_IOCTL(TIOCGWINSZ),	/* the terminal's size, on SIGWINCH, for the guest's */
	ALLOW(tkill),			/* stopping the vCPUs (pthread_kill); Ctrl-Z stopping capsule */
	ALLOW(tgkill),
	/* Pause and resume (vmm/lifecycle.c): the guest's clocks, device interrupts held. */
	ALLOW_IOCTL(KVM_GET_CLOCK),	/* kvmclock (VM fd) */
	ALLOW_IOCTL(KVM_SET_CLOCK),
	ALLOW_IOCTL(KVM_GET_DEVICE_ATTR),	/* each vCPU's TSC offset (vCPU fds) */
	ALLOW_IOCTL(KVM_SET_DEVICE_ATTR),
	ALLOW_IOCTL(KVM_IRQFD),		/* irqfds detached while paused, attached again */
	/* Shutdown (vmm/lifecycle.c): Ctrl-Alt-Del typed, a timeout. */
	ALLOW_IOCTL(KVM_IRQ_LINE),	/* the i8042's IRQ 1 for the keys, PCI NICs' INTx (VM fd) */
	ALLOW(timerfd_settime),		/* the shutdown's tick and timeout, the e1000's throttle */
	/* The disks' last writes: qcow2 metadata back, the overlay's file closed. */
	ALLOW(pread64),
	ALLOW(pwrite64),
	ALLOW(preadv),
	ALLOW(pwritev),
	ALLOW(fallocate),
	ALLOW(close),
	ALLOW(wait4),			/* the cleanup process and passt, done at an orderly end */
	/*
	 * passt, at the end: SIGTERM through the pidfd of that one process
	 * (vmm/backend/passt.c). Never kill(): its pid argument cannot be
	 * bounded here, and kill(-1, SIG) reaches every process the user has.
	 */
	ALLOW_IF(pidfd_send_signal, 1, ~0u, SIGTERM),
	/* The control socket (vmm/control/): clients taken without waiting, and who each is. */
	ALLOW_IF(accept4, 3, ~0u, SOCK_NONBLOCK | SOCK_CLOEXEC),
	ALLOW_IF2(getsockopt, 1, SOL_SOCKET, 2, SO_PEERCRED),
	POLICY_END
};
