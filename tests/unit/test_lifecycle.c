/* Unit tests of pause, resume and shutdown over a real event loop, with the vCPUs, clocks, irqfds and keyboard faked. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "check.h"
#include "lifecycle.h"

#define NVCPUS 2

static struct event_loop loop;
static struct vm vm;
static struct i8042 kbc;
static struct vcpu vcpus[NVCPUS];
static struct lifecycle lc;

/* What the fakes saw, in order ("P" pause, "W" wait, "R" resume, "S" save, "C" restore, ...). */
static char calls[256];
static int wait_result, save_result;
static int keys_typed, keys_refused;	/* i8042_ctrl_alt_del() accepted, and answered -EAGAIN */
static int keys_busy;			/* how many calls still answer -EAGAIN */
static bool end_on_keys;		/* the guest powers off (status 0) once it gets the keys */
static bool irqfds_held;

void vcpu_pause(struct vcpu *vcpu)
{
	(void)vcpu;
	check_log(calls, sizeof(calls), "P");
}

int vcpu_wait_paused(struct vcpu *vcpu, unsigned timeout_ms)
{
	(void)vcpu;
	CHECK(timeout_ms > 0);
	check_log(calls, sizeof(calls), "W");
	return wait_result;
}

void vcpu_resume(struct vcpu *vcpu)
{
	(void)vcpu;
	check_log(calls, sizeof(calls), "R");
}

int guest_clock_save(struct guest_clock *gc, int vm_fd, const struct vcpu *v, unsigned n)
{
	(void)gc;
	(void)vm_fd;
	CHECK(v == vcpus && n == NVCPUS);
	check_log(calls, sizeof(calls), "S");
	return save_result;
}

int guest_clock_restore(const struct guest_clock *gc, int vm_fd, const struct vcpu *v, unsigned n)
{
	(void)gc;
	(void)vm_fd;
	CHECK(v == vcpus && n == NVCPUS);
	check_log(calls, sizeof(calls), "C");
	return 0;
}

int vm_hold_irqfds(struct vm *v, bool hold)
{
	CHECK(v == &vm);
	irqfds_held = hold;
	check_log(calls, sizeof(calls), hold ? "H" : "h");
	return 0;
}

int i8042_ctrl_alt_del(struct i8042 *k)
{
	CHECK(k == &kbc);
	if (keys_busy > 0) {
		keys_busy--;
		keys_refused++;
		return -EAGAIN;
	}
	keys_typed++;
	if (end_on_keys)
		event_loop_stop(&loop, 0);	/* init reports 0 after a shutdown */
	return 0;
}

static void setup(void)
{
	memset(calls, 0, sizeof(calls));
	wait_result = save_result = 0;
	keys_typed = keys_refused = keys_busy = 0;
	end_on_keys = irqfds_held = false;
	CHECK(event_loop_init(&loop) == 0);
	memset(&vm, 0, sizeof(vm));
	vm.loop = &loop;
	lifecycle_init(&lc, &vm, &kbc, vcpus, NVCPUS);
}

static void teardown(void)
{
	close(lc.timer_fd);
	close(loop.epfd);
	close(loop.stop_fd);
}

/* Every vCPU is out of KVM_RUN before the clocks are read; the clocks are set before any runs again. */
static void pause_and_resume(void)
{
	setup();
	CHECK(!lifecycle_paused(&lc));
	CHECK(lifecycle_resume(&lc) == -EALREADY);
	CHECK(lifecycle_pause(&lc) == 0);
	CHECK(lifecycle_paused(&lc) && loop.quiet && irqfds_held);
	CHECK_STR(lifecycle_state(&lc), "paused");
	CHECK_STR(calls, "PPWWSH");
	CHECK(lifecycle_pause(&lc) == -EALREADY);
	CHECK_STR(calls, "PPWWSH");
	calls[0] = 0;
	CHECK(lifecycle_resume(&lc) == 0);
	CHECK(!lifecycle_paused(&lc) && !loop.quiet && !irqfds_held);
	CHECK_STR(lifecycle_state(&lc), "running");
	CHECK_STR(calls, "hCRR");
	CHECK(lifecycle_resume(&lc) == -EALREADY);
	teardown();
}

/* A vCPU that does not leave KVM_RUN, or clocks that cannot be read: the VM runs on, not paused. */
static void failed_pause_runs_on(void)
{
	setup();
	wait_result = -ETIMEDOUT;
	CHECK(lifecycle_pause(&lc) == -ETIMEDOUT);
	CHECK(!lifecycle_paused(&lc) && !loop.quiet && !irqfds_held);
	CHECK_STR(calls, "PPWRR");
	teardown();
	setup();
	save_result = -EIO;
	CHECK(lifecycle_pause(&lc) == -EIO);
	CHECK(!lifecycle_paused(&lc) && !loop.quiet && !irqfds_held);
	CHECK_STR(calls, "PPWWSRR");
	teardown();
}

/*
 * No keys before init is up, none while the guest's driver has not enabled
 * the keyboard; then the guest powers off and capsule reports its 0.
 */
static void shutdown_waits_for_the_guest(void)
{
	setup();
	end_on_keys = true;
	keys_busy = 2;
	CHECK(lifecycle_shutdown(&lc, 60000, LIFECYCLE_GUEST_STATUS) == 0);
	CHECK(keys_typed == 0 && keys_refused == 0);
	CHECK(lifecycle_shutdown(&lc, 0, LIFECYCLE_GUEST_STATUS) == -EALREADY);
	CHECK(lifecycle_pause(&lc) == -EBUSY);
	CHECK_STR(lifecycle_state(&lc), "shutting-down");
	lifecycle_guest_ready(&lc);
	CHECK(lifecycle_exit_status(&lc, event_loop_run(&loop)) == 0);
	CHECK(keys_refused == 2 && keys_typed == 1);
	teardown();
}

/* A guest that ignores Ctrl-Alt-Del is stopped when the timeout is up, as by kill. */
static void shutdown_times_out(void)
{
	setup();
	lifecycle_guest_ready(&lc);
	CHECK(lifecycle_shutdown(&lc, 300, LIFECYCLE_GUEST_STATUS) == 0);
	CHECK(keys_typed == 1);
	CHECK(lifecycle_exit_status(&lc, event_loop_run(&loop)) == LIFECYCLE_KILLED_STATUS);
	teardown();
}

/* A paused VM is resumed to be shut down; the loop serves the shutdown's timer while quiet. */
static void shutdown_resumes_a_paused_vm(void)
{
	setup();
	end_on_keys = true;
	lifecycle_guest_ready(&lc);
	keys_busy = 1;
	CHECK(lifecycle_pause(&lc) == 0);
	calls[0] = 0;
	CHECK(lifecycle_shutdown(&lc, 60000, LIFECYCLE_GUEST_STATUS) == 0);
	CHECK(!lifecycle_paused(&lc) && !loop.quiet);
	CHECK_STR(calls, "hCRR");
	CHECK(lifecycle_exit_status(&lc, event_loop_run(&loop)) == 0);
	CHECK(keys_typed == 1);
	teardown();
}

/* A stop that is no shutdown (kill, the guest's own end) keeps its status. */
static void other_ends_keep_their_status(void)
{
	setup();
	CHECK(lifecycle_pause(&lc) == 0);
	event_loop_stop(&loop, 137);
	CHECK(lifecycle_exit_status(&lc, event_loop_run(&loop)) == 137);
	CHECK(!loop.quiet);
	CHECK(lifecycle_shutdown(&lc, 0, LIFECYCLE_GUEST_STATUS) == -EBUSY);
	CHECK(lifecycle_pause(&lc) == -EALREADY);
	teardown();
}

static struct signalfd_siginfo sig(unsigned signo)
{
	return (struct signalfd_siginfo){ .ssi_signo = signo, .ssi_code = SI_USER };
}

/* SIGTERM: a shutdown ending in 143; a second one is left to the caller (stop at once). */
static void signals(void)
{
	struct signalfd_siginfo si;

	setup();
	end_on_keys = true;
	lifecycle_guest_ready(&lc);
	si = sig(SIGCONT);
	CHECK(lifecycle_signal(&lc, &si));	/* nothing paused: nothing to do */
	si = sig(SIGTSTP);
	CHECK(lifecycle_signal(&lc, &si) && lifecycle_paused(&lc));
	si = sig(SIGCONT);
	CHECK(lifecycle_signal(&lc, &si) && !lifecycle_paused(&lc));
	si = sig(SIGINT);
	CHECK(!lifecycle_signal(&lc, &si));
	si = sig(SIGTERM);
	CHECK(lifecycle_signal(&lc, &si) && lifecycle_shutting_down(&lc));
	CHECK(!lifecycle_signal(&lc, &si));
	CHECK(lifecycle_exit_status(&lc, event_loop_run(&loop)) == 128 + SIGTERM);
	teardown();
}

int main(void)
{
	RUN(pause_and_resume);
	RUN(failed_pause_runs_on);
	RUN(shutdown_waits_for_the_guest);
	RUN(shutdown_times_out);
	RUN(shutdown_resumes_a_paused_vm);
	RUN(other_ends_keep_their_status);
	RUN(signals);
	return CHECK_SUMMARY();
}
