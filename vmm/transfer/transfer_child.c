/* What a transfer process does first: nothing of capsule's left but the fds it needs, then its seccomp filter. */
#include "transfer/transfer_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "transfer/transfer.h"

/* Handlers are capsule's code acting on capsule's state: not the child's business. */
static void default_signals(void)
{
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		/* SIGSYS keeps seccomp's reporter (vmm/sandbox/seccomp.c). */
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSYS || sigaction(sig, NULL, &sa) < 0)
			continue;
		if (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)
			signal(sig, SIG_DFL);
	}
	signal(SIGPIPE, SIG_IGN);
	/* The terminal's Ctrl-C and the like are for capsule, which ends us by closing the pipe. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
}

/* FDS to TRANSFER_CHILD_FD0.., by way of numbers above them (they may overlap). */
static int move_fds(const int *fds, unsigned n)
{
	int high[TRANSFER_ROUTES_MAX + 1];
	int first_free = TRANSFER_CHILD_FD0 + (int)n;

	if (n > sizeof(high) / sizeof(high[0]))
		return -1;
	for (unsigned i = 0; i < n; i++)
		if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, first_free)) < 0)
			return -1;
	for (unsigned i = 0; i < n; i++)
		if (dup3(high[i], TRANSFER_CHILD_FD0 + (int)i, O_CLOEXEC) < 0)
			return -1;
	if (syscall(SYS_close_range, first_free, ~0u, 0) < 0) {
		if (errno != ENOSYS)
			return -1;
		for (int fd = first_free; fd < 65536; fd++)
			close(fd);
	}
	return 0;
}

void transfer_child_enter(const int *fds, unsigned n, pid_t parent, const char *name,
			  enum seccomp_kind kind)
{
	int r;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(1);
	default_signals();
	if (move_fds(fds, n) < 0) {
		log_error("%s: cannot set up its fds: %s", name, strerror(errno));
		_exit(1);
	}
	prctl(PR_SET_NAME, name, 0, 0, 0);
	r = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : seccomp_enter(kind);
	if (r < 0) {
		log_error("%s: cannot install its seccomp filter: %s", name, strerror(-r));
		_exit(1);
	}
}
