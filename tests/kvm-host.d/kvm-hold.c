/*
 * Started by the emulated KVM host's init: holds one idle KVM VM, with one
 * never-run vCPU, for as long as the host lives.
 *
 * Why: the host kernel flips static keys when the first VM is created and
 * the last one destroyed (preempt_notifier_key, patched into __schedule) and
 * when the first LAPIC appears or goes away (apic_sw_disabled). Each flip
 * rewrites kernel text with int3-based patching while the other CPU runs it,
 * and QEMU's multi-threaded TCG sometimes keeps executing the stale int3:
 * the kernel's handler sees the byte gone, re-executes, traps again, forever,
 * with the runqueue lock held, and the whole host wedges (seen about once in
 * 20-100 capsule runs). With this VM alive the counts never return to zero,
 * so starting and ending capsule's VMs patches nothing.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0) {
		perror("kvm-hold: /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 || ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror("kvm-hold: creating the idle VM");
		return 1;
	}
	for (;;)
		pause();
}
