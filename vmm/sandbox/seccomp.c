/* Installing the build-time seccomp filters, one per thread, and reporting a forbidden syscall. */
#include "sandbox/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

#define X32_SYSCALL_BIT 0x40000000

/*
 * Process-wide because the SIGSYS handler is: set once before any thread
 * has a filter, read-only after.
 */
static enum seccomp_mode mode;
static int sync_fds[SECCOMP_SYNC_FDS_MAX];
static unsigned nsync;
/* Which kind the calling thread is, for the report. */
static __thread int thread_kind = -1;

/* Append S to BUF (of SIZE, *LEN used): the handler cannot use stdio. */
static void put(char *buf, size_t size, size_t *len, const char *s)
{
	while (*s && *len + 1 < size)
		buf[(*len)++] = *s++;
}

static void put_number(char *buf, size_t size, size_t *len, unsigned long v)
{
	char digits[24];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(digits));
	while (n && *len + 1 < size)
		buf[(*len)++] = digits[--n];
}

/*
 * A syscall outside the thread's policy: say which, make the guest's
 * written data durable, end. Only syscalls every policy allows (write,
 * fdatasync, exit_group).
 */
static void on_sigsys(int sig, siginfo_t *si, void *ucontext)
{
	unsigned nr = (unsigned)si->si_syscall & ~X32_SYSCALL_BIT;
	bool x32 = si->si_syscall & X32_SYSCALL_BIT;
	const char *name = nr < SECCOMP_SYSCALL_NAMES ? seccomp_syscall_names[nr] : NULL;
	char line[160];
	size_t len = 0;

	(void)sig;
	(void)ucontext;
	put(line, sizeof(line), &len, "capsule: seccomp: ");
	put(line, sizeof(line), &len, thread_kind >= 0 ? seccomp_filters[thread_kind].words : "thread");
	put(line, sizeof(line), &len, " made forbidden syscall ");
	put_number(line, sizeof(line), &len, (unsigned)si->si_syscall);
	put(line, sizeof(line), &len, x32 || si->si_arch != AUDIT_ARCH_X86_64 ? " (x32 or foreign: " : " (");
	put(line, sizeof(line), &len, name && !x32 ? name : "?");
	put(line, sizeof(line), &len, ")\n");
	(void)!write(STDERR_FILENO, line, len);
	for (unsigned i = 0; i < nsync; i++)
		fdatasync(sync_fds[i]);
	syscall(SYS_exit_group, EXIT_CAPSULE_RUNTIME);
}

int seccomp_setup(enum seccomp_mode m, const int *fds, unsigned n)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

	if (n > SECCOMP_SYNC_FDS_MAX)
		return -E2BIG;
	mode = m;
	if (n)
		memcpy(sync_fds, fds, n * sizeof(*fds));
	nsync = n;
	sigfillset(&sa.sa_mask);	/* nothing else runs inside the report */
	return sigaction(SIGSYS, &sa, NULL) < 0 ? -errno : 0;
}

int seccomp_enter(enum seccomp_kind kind)
{
	const struct seccomp_filter_set *f = &seccomp_filters[kind];
	const struct seccomp_bpf *bpf = mode == SECCOMP_LOG ? &f->log : &f->enforce;
	struct sock_fprog prog = { .len = bpf->len, .filter = (struct sock_filter *)bpf->insns };
	sigset_t sys;

	if (mode == SECCOMP_OFF)
		return 0;
	thread_kind = (int)kind;
	/* A thread may have it blocked (inherited masks): a blocked SIGSYS would kill silently. */
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

void seccomp_enter_or_die(enum seccomp_kind kind)
{
	int r = seccomp_enter(kind);

	if (r < 0)
		die("seccomp: cannot install the %s filter: %s", seccomp_filters[kind].words,
		    strerror(-r));
}
