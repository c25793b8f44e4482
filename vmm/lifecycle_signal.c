/* capsule's own signals as lifecycle requests: SIGTERM shuts the guest down, SIGTSTP pauses it, SIGCONT resumes. */
#include <signal.h>

#include "lifecycle.h"
#include "log.h"

/* SIGTERM's status, as when it ends capsule at once: scripts see why capsule ended. */
#define TERM_STATUS (128 + SIGTERM)

/* Ctrl-Z on the terminal (the kernel sent it, not kill()): stop as a job once paused. */
static void pause_for_job_control(struct lifecycle *lc, int code)
{
	if (lifecycle_pause(lc) < 0 && !lifecycle_paused(lc))
		return;
	if (code == SI_KERNEL)
		raise(SIGSTOP);	/* `fg` or `bg` sends SIGCONT, which resumes the VM */
}

bool lifecycle_signal(struct lifecycle *lc, const struct signalfd_siginfo *si)
{
	switch (si->ssi_signo) {
	case SIGTERM:
		if (lifecycle_shutting_down(lc) || lifecycle_shutdown(lc, 0, TERM_STATUS) < 0)
			return false;
		log_error("signal %u: shutting the guest down (another one stops it at once)",
			  si->ssi_signo);
		return true;
	case SIGTSTP:
		pause_for_job_control(lc, si->ssi_code);
		return true;
	case SIGCONT:
		lifecycle_resume(lc);
		return true;
	default:
		return false;
	}
}
