/* The KVM virtual machine: /dev/kvm, the VM fd, in-kernel irqchip and PIT, memory slots. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

/* Three pages below the ROM for the TSS that KVM needs on Intel; unused on AMD. */
#define TSS_ADDR 0xfffbd000ull
#define IDENTITY_MAP_ADDR 0xfffbc000ull

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			die("/dev/kvm does not exist: this host has no KVM "
			    "(enable virtualization, load kvm_intel or kvm_amd, or use tests/kvm-host)");
		die("/dev/kvm: %s%s", strerror(errno),
		    errno == EACCES ? " (add yourself to the kvm group, or run as root)" : "");
	}
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("/dev/kvm: unsupported KVM API version");
	/* PVM's /dev/kvm runs only guests built for it: ours would hang at its first instruction. */
	if (access("/sys/module/kvm_pvm", F_OK) == 0 && access("/sys/module/kvm_intel", F_OK) < 0 &&
	    access("/sys/module/kvm_amd", F_OK) < 0)
		die("/dev/kvm is PVM (kvm_pvm), which runs only PVM guest kernels: this host has no "
		    "hardware KVM (use tests/kvm-host)");
	return fd;
}

static void require_cap(struct vm *vm, int cap, const char *name)
{
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) <= 0)
		die("KVM lacks %s, which capsule needs", name);
}

static void add_slot(struct vm *vm, uint64_t gpa, uint64_t size, void *host, uint32_t flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = vm->next_slot++, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		die("KVM_SET_USER_MEMORY_REGION at %#llx (%llu bytes): %s",
		    (unsigned long long)gpa, (unsigned long long)size, strerror(errno));
}

static void create_irqchip(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };

	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		die("KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(uint64_t){ IDENTITY_MAP_ADDR }) < 0)
		die("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		die("KVM_CREATE_PIT2: %s", strerror(errno));
}

void vm_create(struct vm *vm, uint64_t mem_size, struct event_loop *loop)
{
	int ret, size;

	memset(vm, 0, sizeof(*vm));
	vm->loop = loop;
	io_bus_init(&vm->pio, "pio");
	io_bus_init(&vm->mmio, "mmio");
	vm->kvm_fd = open_kvm();
	require_cap(vm, KVM_CAP_IRQCHIP, "an in-kernel irqchip");
	require_cap(vm, KVM_CAP_PIT2, "an in-kernel PIT");
	require_cap(vm, KVM_CAP_USER_MEMORY, "user memory slots");
	require_cap(vm, KVM_CAP_READONLY_MEM, "read-only memory slots");
	require_cap(vm, KVM_CAP_EXT_CPUID, "KVM_GET_SUPPORTED_CPUID");
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	vm->vcpu_mmap_size = (size_t)size;
	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0)
		die("KVM_CREATE_VM: %s", strerror(errno));
	create_irqchip(vm);
	ret = guest_mem_init(&vm->mem, mem_size);
	if (ret < 0)
		die("cannot map %llu MiB of guest memory: %s",
		    (unsigned long long)(mem_size >> 20), strerror(-ret));
	for (unsigned i = 0; i < vm->mem.nregions; i++)
		add_slot(vm, vm->mem.regions[i].gpa, vm->mem.regions[i].size, vm->mem.regions[i].host, 0);
}

void vm_map_rom(struct vm *vm, const void *rom, size_t size)
{
	void *p;

	if (!size || size % 4096)
		die("firmware image size %zu is not a multiple of 4 KiB", size);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("cannot map the firmware: %s", strerror(errno));
	memcpy(p, rom, size);
	mprotect(p, size, PROT_READ);
	/* A guest write to ROM exits to us as MMIO, where no device claims it. */
	add_slot(vm, (1ull << 32) - size, size, p, KVM_MEM_READONLY);
}

void vm_set_irq(struct vm *vm, unsigned irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		log_error("KVM_IRQ_LINE %u: %s", irq, strerror(errno));
}

int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t value)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct kvm_ioeventfd io = {
		.datamatch = value, .addr = addr, .len = 4, .flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	if (fd < 0)
		die("eventfd: %s", strerror(errno));
	io.fd = fd;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		die("KVM_IOEVENTFD at %#llx: %s", (unsigned long long)addr, strerror(errno));
	return fd;
}

int vm_irqfd(struct vm *vm, unsigned gsi)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct kvm_irqfd irqfd = { .gsi = gsi };

	if (fd < 0)
		die("eventfd: %s", strerror(errno));
	if (vm->nirqfds == VM_IRQFDS_MAX)
		die("more than %d irqfds", VM_IRQFDS_MAX);
	irqfd.fd = (uint32_t)fd;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		die("KVM_IRQFD for GSI %u: %s", gsi, strerror(errno));
	vm->irqfds[vm->nirqfds].fd = fd;
	vm->irqfds[vm->nirqfds++].gsi = gsi;
	return fd;
}

int vm_hold_irqfds(struct vm *vm, bool hold)
{
	int ret = 0;

	/* Every one, even past a failure: an undo must reach those that did change. */
	for (unsigned i = 0; i < vm->nirqfds; i++) {
		struct kvm_irqfd irqfd = {
			.fd = (uint32_t)vm->irqfds[i].fd, .gsi = vm->irqfds[i].gsi,
			.flags = hold ? KVM_IRQFD_FLAG_DEASSIGN : 0,
		};

		if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0 && ret == 0)
			ret = -errno;
	}
	return ret;
}

void vm_guest_reset(struct vm *vm, const char *how)
{
	log_error("the guest %s without reporting an exit status", how);
	event_loop_stop(vm->loop, EXIT_CAPSULE_RUNTIME);
}
