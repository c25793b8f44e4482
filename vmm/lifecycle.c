/* Pause, resume and the orderly shutdown of a running VM, for capsule's signals and `capsule ctl`. */
#include "lifecycle.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define TICK_MS 100		/* how often a pending shutdown looks at the guest */
#define RETYPE_MS 1000		/* Ctrl-Alt-Del again, in case the guest lost it */
#define PAUSE_WAIT_MS 1000	/* a vCPU leaves KVM_RUN in microseconds; this is a safety net */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int set_timer(struct lifecycle *lc, unsigned ms)
{
	struct itimerspec its = {
		.it_interval = { ms / 1000, (long)(ms % 1000) * 1000000 },
		.it_value = { ms / 1000, (long)(ms % 1000) * 1000000 },
	};

	return timerfd_settime(lc->timer_fd, 0, &its, NULL) < 0 ? -errno : 0;
}

/* Type Ctrl-Alt-Del when it is due and someone in the guest listens. */
static void type_keys(struct lifecycle *lc, uint64_t now)
{
	if (now < lc->next_keys_ms || !__atomic_load_n(&lc->guest_ready, __ATOMIC_ACQUIRE))
		return;
	/* -EAGAIN: the guest's driver has not enabled the keyboard yet; the next tick tries again. */
	if (i8042_ctrl_alt_del(lc->kbc) == 0)
		lc->next_keys_ms = now + RETYPE_MS;
}

static void on_tick(void *opaque, uint32_t events)
{
	struct lifecycle *lc = opaque;
	uint64_t expirations, now = now_ms();

	(void)events;
	if (read(lc->timer_fd, &expirations, sizeof(expirations)) < 0 || !lc->shutting_down)
		return;
	if (now < lc->deadline_ms) {
		type_keys(lc, now);
		return;
	}
	set_timer(lc, 0);
	log_error("the guest did not shut down within %u s: stopping it", lc->timeout_ms / 1000);
	event_loop_stop(lc->loop, lc->status >= 0 ? lc->status : LIFECYCLE_KILLED_STATUS);
}

void lifecycle_init(struct lifecycle *lc, struct vm *vm, struct i8042 *kbc, struct vcpu *vcpus,
		    unsigned nvcpus)
{
	memset(lc, 0, sizeof(*lc));
	lc->vm = vm;
	lc->loop = vm->loop;
	lc->kbc = kbc;
	lc->vcpus = vcpus;
	lc->nvcpus = nvcpus;
	lc->status = LIFECYCLE_GUEST_STATUS;
	lc->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (lc->timer_fd < 0 || event_loop_add_host(lc->loop, lc->timer_fd, EPOLLIN, on_tick, lc) < 0)
		die("lifecycle timer: %s", strerror(errno));
}

void lifecycle_guest_ready(struct lifecycle *lc)
{
	__atomic_store_n(&lc->guest_ready, true, __ATOMIC_RELEASE);
}

static void resume_vcpus(struct lifecycle *lc)
{
	for (unsigned i = 0; i < lc->nvcpus; i++)
		vcpu_resume(&lc->vcpus[i]);
}

int lifecycle_pause(struct lifecycle *lc)
{
	int ret = 0;

	if (lc->paused)
		return -EALREADY;
	if (lc->shutting_down || event_loop_stopping(lc->loop))
		return -EBUSY;
	for (unsigned i = 0; i < lc->nvcpus; i++)
		vcpu_pause(&lc->vcpus[i]);
	for (unsigned i = 0; i < lc->nvcpus && ret == 0; i++)
		ret = vcpu_wait_paused(&lc->vcpus[i], PAUSE_WAIT_MS);
	if (ret == 0)
		ret = guest_clock_save(&lc->clock, lc->vm->vm_fd, lc->vcpus, lc->nvcpus);
	if (ret == 0 && (ret = vm_hold_irqfds(lc->vm, true)) < 0)
		vm_hold_irqfds(lc->vm, false);
	if (ret == 0 && (ret = event_loop_quiet(lc->loop, true)) < 0) {
		event_loop_quiet(lc->loop, false);
		vm_hold_irqfds(lc->vm, false);
	}
	if (ret < 0) {
		log_error("cannot pause the VM: %s", strerror(-ret));
		resume_vcpus(lc);
		return ret;
	}
	lc->paused = true;
	return 0;
}

int lifecycle_resume(struct lifecycle *lc)
{
	int ret, first;

	if (!lc->paused)
		return -EALREADY;
	first = event_loop_quiet(lc->loop, false);
	ret = vm_hold_irqfds(lc->vm, false);
	first = first < 0 ? first : ret;
	/* Before any vCPU runs: the guest must never read a clock we then move. */
	ret = guest_clock_restore(&lc->clock, lc->vm->vm_fd, lc->vcpus, lc->nvcpus);
	first = first < 0 ? first : ret;
	if (first < 0)
		log_error("resuming the VM: %s", strerror(-first));
	resume_vcpus(lc);
	lc->paused = false;
	return first;
}

bool lifecycle_paused(const struct lifecycle *lc)
{
	return lc->paused;
}

int lifecycle_shutdown(struct lifecycle *lc, unsigned timeout_ms, int status)
{
	uint64_t now = now_ms();
	int ret;

	if (lc->shutting_down)
		return -EALREADY;
	if (event_loop_stopping(lc->loop))
		return -EBUSY;
	if (lc->paused)
		lifecycle_resume(lc);
	lc->timeout_ms = timeout_ms ? timeout_ms : LIFECYCLE_SHUTDOWN_TIMEOUT_MS;
	lc->deadline_ms = now + lc->timeout_ms;
	lc->next_keys_ms = now;
	lc->status = status;
	ret = set_timer(lc, TICK_MS);
	if (ret < 0)
		return ret;
	lc->shutting_down = true;
	type_keys(lc, now);
	return 0;
}

bool lifecycle_shutting_down(const struct lifecycle *lc)
{
	return lc->shutting_down;
}

const char *lifecycle_state(const struct lifecycle *lc)
{
	if (lc->shutting_down)
		return "shutting-down";
	return lc->paused ? "paused" : "running";
}

int lifecycle_exit_status(const struct lifecycle *lc, int loop_status)
{
	return lc->shutting_down && lc->status >= 0 ? lc->status : loop_status;
}
