/* Pause, resume and the orderly shutdown of a running VM, for capsule's signals and `capsule ctl`. */
#ifndef CAPSULE_LIFECYCLE_H
#define CAPSULE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/signalfd.h>

#include "guest_clock.h"
#include "legacy/i8042.h"
#include "vcpu.h"
#include "vm.h"

#define LIFECYCLE_SHUTDOWN_TIMEOUT_MS 10000	/* lifecycle_shutdown() with 0 */
#define LIFECYCLE_GUEST_STATUS (-1)	/* lifecycle_shutdown(): exit with what the guest reports */
#define LIFECYCLE_KILLED_STATUS 137	/* 128 + SIGKILL: the guest was ended, not shut down */

struct lifecycle {
	struct vm *vm;
	struct event_loop *loop;
	struct i8042 *kbc;
	struct vcpu *vcpus;
	unsigned nvcpus;
	int timer_fd;		/* ticks while a shutdown is pending */
	bool guest_ready;	/* init is up and handles Ctrl-Alt-Del (atomic: set on a vCPU) */
	bool paused;
	bool shutting_down;
	int status;		/* the exit status a shutdown forces, or LIFECYCLE_GUEST_STATUS */
	unsigned timeout_ms;
	uint64_t deadline_ms;	/* CLOCK_MONOTONIC: the guest is ended then */
	uint64_t next_keys_ms;	/* Ctrl-Alt-Del is typed (again) then */
	struct guest_clock clock;	/* saved at pause */
};

/*
 * Set up for the VM's vCPUs (NVCPUS from VCPUS), keyboard controller KBC and
 * event loop: a timer the loop serves even while the devices are quiet.
 * Before the sandbox. Dies on failure.
 */
void lifecycle_init(struct lifecycle *lc, struct vm *vm, struct i8042 *kbc, struct vcpu *vcpus,
		    unsigned nvcpus);

/*
 * The guest's init is up (GUEST_MARK_INIT): it has told the kernel to send
 * it SIGINT on Ctrl-Alt-Del instead of rebooting, so a shutdown may now type
 * it. Any thread.
 */
void lifecycle_guest_ready(struct lifecycle *lc);

/*
 * Pause the VM: every vCPU leaves KVM_RUN and waits (this waits only for
 * that, 1 s at most), the guest's clocks are saved, device interrupts are
 * held and the devices' fds are no longer served (event_loop_quiet): a tap's
 * frames, stdin and disk requests wait on the host side. A disk request
 * already with a worker completes, its interrupt held until resume. Returns
 * 0, -EALREADY when paused, -EBUSY while a shutdown is pending or the VM is
 * ending, or -errno (the VM then runs on). I/O thread only.
 */
int lifecycle_pause(struct lifecycle *lc);

/*
 * Resume a paused VM: the devices are served again, held interrupts raised,
 * the guest's clocks set back so that no time passed for it (kvmclock: its
 * uptime and date lag the host's by the paused time), then the vCPUs run.
 * Returns 0, -EALREADY when not paused, or the first -errno met (the VM runs
 * in any case). I/O thread only.
 */
int lifecycle_resume(struct lifecycle *lc);

/* Whether the VM is paused. I/O thread only. */
bool lifecycle_paused(const struct lifecycle *lc);

/*
 * Ask the guest to shut down, as pressing Ctrl-Alt-Del does: typed once its
 * init is up and its keyboard driver enabled the keyboard, then again every
 * second in case the guest lost it. A paused VM is resumed first. Our init
 * then ends every process (SIGTERM, SIGKILL after 5 s) and reports 0. When
 * the VM has not ended TIMEOUT_MS later (0: LIFECYCLE_SHUTDOWN_TIMEOUT_MS),
 * it is stopped as a kill would (event_loop_stop), with
 * LIFECYCLE_KILLED_STATUS. STATUS >= 0 makes capsule exit with STATUS however
 * the VM ends (see lifecycle_exit_status); LIFECYCLE_GUEST_STATUS keeps the
 * guest's. Returns 0, -EALREADY when a shutdown is pending, -EBUSY when the
 * VM is ending anyway. I/O thread only.
 */
int lifecycle_shutdown(struct lifecycle *lc, unsigned timeout_ms, int status);

/* Whether a shutdown is pending. I/O thread only. */
bool lifecycle_shutting_down(const struct lifecycle *lc);

/* "running", "paused" or "shutting-down", as info vm reports it. I/O thread only. */
const char *lifecycle_state(const struct lifecycle *lc);

/* The status capsule exits with, given the one its event loop returned. */
int lifecycle_exit_status(const struct lifecycle *lc, int loop_status);

/*
 * What capsule's signals do to a running VM: the first SIGTERM is an orderly
 * shutdown (lifecycle_shutdown, capsule exits 143 once the VM has ended);
 * SIGTSTP pauses the VM, and when the terminal sent it (Ctrl-Z) capsule then
 * stops as a job does; SIGCONT resumes it. Returns false for the signals left
 * to the caller, which end capsule at once: SIGINT, SIGHUP, SIGQUIT and a
 * second SIGTERM. I/O thread only.
 */
bool lifecycle_signal(struct lifecycle *lc, const struct signalfd_siginfo *si);

#endif
