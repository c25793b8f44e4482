/* One thread per vCPU looping on KVM_RUN and routing its exits to the I/O buses. */
#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "cpu_x86.h"
#include "log.h"
#include "sandbox/seccomp.h"

void vcpu_create(struct vcpu *vcpu, struct vm *vm, unsigned id, unsigned ncpus,
		 const struct kvm_cpuid2 *supported_cpuid)
{
	void *run;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		die("KVM_CREATE_VCPU %u: %s", id, strerror(errno));
	run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED)
		die("mmap of vCPU %u: %s", id, strerror(errno));
	vcpu->run = run;
	pthread_mutex_init(&vcpu->park_lock, NULL);
	pthread_cond_init(&vcpu->park_cond, NULL);
	cpu_x86_set_cpuid(vcpu->fd, supported_cpuid, id, ncpus);
}

static void handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	/* String I/O (rep outsb) arrives as COUNT back-to-back items. */
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
		io_bus_dispatch(&vcpu->vm->pio, run->io.port, data, run->io.size, is_write);
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned len = run->mmio.len <= sizeof(run->mmio.data) ? run->mmio.len : sizeof(run->mmio.data);

	io_bus_dispatch(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write);
}

/* Report an exit we cannot handle; the VM cannot go on. */
static void fail(struct vcpu *vcpu, const char *what, unsigned long long detail)
{
	log_error("vCPU %u: %s (%#llx)", vcpu->id, what, detail);
	event_loop_stop(vcpu->vm->loop, EXIT_CAPSULE_RUNTIME);
}

/*
 * Say where the guest was (and what KVM told us, if anything), for a bug
 * report. Nothing when KVM has already reset the vCPU, as SVM does on a
 * triple fault.
 */
static void report_state(struct vcpu *vcpu, const char *kvm_data)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0 || ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0 ||
	    (regs.rip == 0xfff0 && sregs.cs.selector == 0xf000))
		return;
	log_error("vCPU %u: rip %#llx rsp %#llx cs %#x cr0 %#llx cr2 %#llx cr3 %#llx%s%s", vcpu->id,
		  (unsigned long long)regs.rip, (unsigned long long)regs.rsp, sregs.cs.selector,
		  (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr2,
		  (unsigned long long)sregs.cr3, *kvm_data ? "; KVM data:" : "", kvm_data);
}

static void report_internal_error(struct vcpu *vcpu)
{
	char data[160] = "";
	unsigned n = vcpu->run->internal.ndata;

	for (unsigned i = 0; i < n && i < 8; i++)
		snprintf(data + strlen(data), sizeof(data) - strlen(data), " %#llx",
			 (unsigned long long)vcpu->run->internal.data[i]);
	report_state(vcpu, data);
}

/* Handle one exit; false when this vCPU must stop running. */
static bool handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault: a crash, or a reboot without a reset device. */
		vm_guest_reset(vcpu->vm, "shut down (triple fault)");
		report_state(vcpu, "");
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vm_guest_reset(vcpu->vm, "requested a system reset or shutdown");
		return false;
	case KVM_EXIT_HLT:
		vm_guest_reset(vcpu->vm, "halted");
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		fail(vcpu, "KVM could not enter the guest",
		     run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		report_internal_error(vcpu);
		fail(vcpu, "KVM internal error", run->internal.suberror);
		return false;
	default:
		fail(vcpu, "unexpected KVM exit", run->exit_reason);
		return false;
	}
}

/*
 * About to enter KVM_RUN: say so, then look for a pause request. Either the
 * pauser sees in_run (and waits for the exit) or we see its request (and stay
 * out): both sides store, then load, sequentially consistent.
 */
static bool may_enter(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->in_run, true, __ATOMIC_SEQ_CST);
	return !__atomic_load_n(&vcpu->pausing, __ATOMIC_SEQ_CST);
}

/* Out of KVM_RUN: wake a pauser waiting for that. */
static void left_run(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->in_run, false, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&vcpu->pausing, __ATOMIC_SEQ_CST))
		return;
	pthread_mutex_lock(&vcpu->park_lock);
	pthread_cond_broadcast(&vcpu->park_cond);
	pthread_mutex_unlock(&vcpu->park_lock);
}

/* Wait in this thread until vcpu_resume() or vcpu_stop(). */
static void park(struct vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->park_lock);
	while (__atomic_load_n(&vcpu->pausing, __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&vcpu->stopping, __ATOMIC_SEQ_CST))
		pthread_cond_wait(&vcpu->park_cond, &vcpu->park_lock);
	pthread_mutex_unlock(&vcpu->park_lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	char name[16];
	int ret, err;

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);
	seccomp_enter_or_die(SECCOMP_KIND_vcpu);
	/* Once the VM is ending, no vCPU goes back into the guest (which might write on). */
	while (!__atomic_load_n(&vcpu->stopping, __ATOMIC_ACQUIRE) &&
	       !event_loop_stopping(vcpu->vm->loop)) {
		if (!may_enter(vcpu)) {
			left_run(vcpu);
			park(vcpu);
			continue;
		}
		ret = ioctl(vcpu->fd, KVM_RUN, 0);
		err = errno;
		left_run(vcpu);
		if (ret < 0) {
			if (err == EINTR || err == EAGAIN)
				continue;
			fail(vcpu, "KVM_RUN failed", (unsigned)err);
			break;
		}
		if (!handle_exit(vcpu))
			break;
	}
	return NULL;
}

/* The kick's handler: it only has to exist, so that the signal interrupts KVM_RUN. */
static void on_kick(int sig)
{
	(void)sig;
}

void vcpu_start(struct vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = on_kick };	/* no SA_RESTART */
	int ret;

	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		die("sigaction: %s", strerror(errno));
	ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (ret)
		die("cannot start vCPU %u: %s", vcpu->id, strerror(ret));
	vcpu->started = true;
}

/* Out of KVM_RUN now: a signal for the thread inside it, immediate_exit for one about to enter. */
static void kick(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_stop(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	__atomic_store_n(&vcpu->stopping, true, __ATOMIC_SEQ_CST);
	kick(vcpu);
	/* A parked thread waits on the condition, where no signal reaches it. */
	pthread_mutex_lock(&vcpu->park_lock);
	pthread_cond_broadcast(&vcpu->park_cond);
	pthread_mutex_unlock(&vcpu->park_lock);
}

void vcpu_pause(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	__atomic_store_n(&vcpu->pausing, true, __ATOMIC_SEQ_CST);
	kick(vcpu);
}

/* TIMEOUT_MS from now on CLOCK_REALTIME, as pthread's timed waits take it. */
static struct timespec deadline(unsigned timeout_ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	return until;
}

int vcpu_wait_paused(struct vcpu *vcpu, unsigned timeout_ms)
{
	struct timespec until = deadline(timeout_ms);
	int ret = 0;

	if (!vcpu->started)
		return 0;
	pthread_mutex_lock(&vcpu->park_lock);
	while (__atomic_load_n(&vcpu->in_run, __ATOMIC_SEQ_CST) && ret == 0)
		ret = pthread_cond_timedwait(&vcpu->park_cond, &vcpu->park_lock, &until);
	if (!__atomic_load_n(&vcpu->in_run, __ATOMIC_SEQ_CST))
		ret = 0;
	pthread_mutex_unlock(&vcpu->park_lock);
	return -ret;
}

void vcpu_resume(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	pthread_mutex_lock(&vcpu->park_lock);
	/* A stopping vCPU keeps immediate_exit: it must not enter the guest again. */
	if (!__atomic_load_n(&vcpu->stopping, __ATOMIC_SEQ_CST))
		__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&vcpu->pausing, false, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&vcpu->park_cond);
	pthread_mutex_unlock(&vcpu->park_lock);
}

int vcpu_join(struct vcpu *vcpu, unsigned timeout_ms)
{
	struct timespec until = deadline(timeout_ms);
	int ret;

	if (!vcpu->started)
		return 0;
	ret = pthread_timedjoin_np(vcpu->thread, NULL, &until);
	if (ret)
		return -ret;
	vcpu->started = false;
	return 0;
}
