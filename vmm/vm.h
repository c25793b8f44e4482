/* The KVM virtual machine: /dev/kvm, the VM fd, in-kernel irqchip and PIT, memory slots. */
#ifndef CAPSULE_VM_H
#define CAPSULE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_loop.h"
#include "guest_mem.h"
#include "io_bus.h"

#define VM_IRQFDS_MAX 32	/* one per virtio-mmio device */

struct vm {
	int kvm_fd;
	int vm_fd;
	size_t vcpu_mmap_size;	/* size of each vCPU's struct kvm_run mapping */
	unsigned next_slot;	/* next free KVM memory slot */
	struct guest_mem mem;
	struct io_bus pio;
	struct io_bus mmio;
	struct event_loop *loop; /* stopped when the guest ends */
	struct { int fd; unsigned gsi; } irqfds[VM_IRQFDS_MAX];	/* vm_irqfd()'s, for vm_hold_irqfds() */
	unsigned nirqfds;
};

/*
 * Open /dev/kvm, create the VM with its in-kernel irqchip and PIT, and give it
 * MEM_SIZE bytes of RAM. Dies with a one-line reason on failure (start-up only).
 */
void vm_create(struct vm *vm, uint64_t mem_size, struct event_loop *loop);

/* Map a copy of ROM (a multiple of 4 KiB) read-only so that it ends at 4 GiB. */
void vm_map_rom(struct vm *vm, const void *rom, size_t size);

/* Set the level of an ISA/IOAPIC interrupt line (KVM_IRQ_LINE). */
void vm_set_irq(struct vm *vm, unsigned irq, int level);

/*
 * An eventfd KVM signals, without leaving the kernel, when the guest writes
 * the 32-bit VALUE to MMIO address ADDR (a virtqueue notification). Dies on failure.
 */
int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t value);

/* An eventfd that raises interrupt line GSI (edge) when written. Dies on failure. */
int vm_irqfd(struct vm *vm, unsigned gsi);

/*
 * HOLD: detach every irqfd from its interrupt line; writes to them are kept
 * in their count, and raise the line when attached again (KVM looks at the
 * count then). A paused guest takes no interrupt from a device that finishes
 * work meanwhile; it takes it on resume. 0 or -errno.
 */
int vm_hold_irqfds(struct vm *vm, bool hold);

/* The guest reset or shut down without reporting an exit status: end the VM. */
void vm_guest_reset(struct vm *vm, const char *how);

#endif
