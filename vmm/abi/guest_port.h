/* I/O ports through which the guest's firmware and init talk to the monitor. */
#ifndef CAPSULE_ABI_GUEST_PORT_H
#define CAPSULE_ABI_GUEST_PORT_H

/* outb(status): the guest is done; the monitor exits with this status. */
#define GUEST_PORT_EXIT 0x501
/* outb(GUEST_MARK_*): a boot milestone, timed by the monitor for benchmarks. */
#define GUEST_PORT_MARK 0x502
/* outb(GUEST_FAIL_*): guest-side infrastructure failed; the monitor exits 1. */
#define GUEST_PORT_FAIL 0x503

#define GUEST_MARK_INIT 1	/* init has started */
#define GUEST_MARK_KERNEL 2	/* firmware: entering the kernel (when boot_info asks) */
#define GUEST_FAIL_BOOT_INFO 1	/* firmware: boot-info block missing or bad */
#define GUEST_FAIL_INIT 2	/* init: could not start the shell or command */
#define GUEST_FAIL_CONSOLE 3	/* init: the console device did not appear or open */
#define GUEST_FAIL_PORTS 4	/* init: the workload's virtio ports did not appear */
#define GUEST_FAIL_REQUEST 5	/* init: its request file was unreadable or bad */

#endif
