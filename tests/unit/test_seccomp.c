/*
 * Unit tests of the seccomp filters capsule embeds: for every thread kind, a
 * forked child under the real exported filter may make each syscall its
 * policy lists, and each forbidden one ends it with the one-line report.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "policy.h"
#include "sandbox/seccomp.h"

static const struct policy_rule *const policies[SECCOMP_KINDS] = {
#define X(n, w) [SECCOMP_KIND_##n] = policy_##n,
	SECCOMP_KIND_LIST(X)
#undef X
};

/* What a child under a filter did: its exit status (-1: killed, with the signal) and its stderr. */
struct outcome {
	int status, signal;
	char err[512];
};

/* Run FN(ARG) in a child under KIND's filter in MODE; what came of it. */
static struct outcome in_child(enum seccomp_kind kind, enum seccomp_mode mode,
			       void (*fn)(enum seccomp_kind, const void *), const void *arg)
{
	struct outcome o = { .status = -1 };
	int p[2], ws;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		return o;
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		if (seccomp_setup(mode, NULL, 0) < 0 || seccomp_enter(kind) < 0)
			_exit(99);
		fn(kind, arg);
		syscall(SYS_exit_group, 0);
	}
	close(p[1]);
	n = read(p[0], o.err, sizeof(o.err) - 1);
	o.err[n > 0 ? n : 0] = 0;
	close(p[0]);
	waitpid(pid, &ws, 0);
	if (WIFEXITED(ws))
		o.status = WEXITSTATUS(ws);
	else
		o.signal = WTERMSIG(ws);
	return o;
}

/*
 * Harmless to make with bad arguments (they fail with EBADF, EINVAL...),
 * unlike these: they end or jump, or (kill) signal every process the test's
 * user may reach when the pid is -1. A policy must never allow kill anyway
 * (seccomp cannot bound its pid): pidfd_send_signal does the job.
 */
static bool unsafe_to_probe(int nr)
{
	return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_rt_sigreturn || nr == SYS_kill;
}

/* Every syscall of the kind's policy and the common one, with the arguments its rule names. */
static void make_allowed(enum seccomp_kind kind, const void *unused)
{
	const struct policy_rule *lists[2] = { policies[kind], policy_common };

	(void)unused;
	for (int l = 0; l < 2; l++)
		for (const struct policy_rule *r = lists[l]; r->nr != -1; r++) {
			long a[6] = { -1, -1, -1, -1, -1, -1 };

			if (unsafe_to_probe(r->nr))
				continue;
			for (unsigned c = 0; c < r->ncmp; c++)
				a[r->cmp[c].arg] = (long)r->cmp[c].datum_b;
			syscall(r->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		}
}

/* Each kind may make every syscall its policy lists. */
static void allowed_syscalls(void)
{
	for (int k = 0; k < SECCOMP_KINDS; k++) {
		struct outcome o = in_child((enum seccomp_kind)k, SECCOMP_ENFORCE, make_allowed, NULL);

		if (o.status != 0 || o.err[0])
			printf("  %s: status %d signal %d: %s\n", seccomp_filters[k].words, o.status,
			       o.signal, o.err);
		CHECK(o.status == 0 && !o.err[0]);
	}
}

/* ACCEPT_BLOCKING, GETSOCKOPT_OTHER: the control socket's calls, but not as the I/O thread makes them. */
enum forbidden { EXECVE, OPEN_PASSWD, SOCKET_INET, SOCKET_UNIX, ACCEPT_BLOCKING, GETSOCKOPT_OTHER,
		 PTRACE, FORK, IOCTL_OTHER, X32, FORBIDDEN };

static const struct {
	const char *report;		/* what follows "made forbidden syscall " */
} forbidden_reports[FORBIDDEN] = {
	[EXECVE] = { "59 (execve)" },
	[OPEN_PASSWD] = { "257 (openat)" },
	[SOCKET_INET] = { "41 (socket)" },
	[SOCKET_UNIX] = { "41 (socket)" },
	[ACCEPT_BLOCKING] = { "288 (accept4)" },
	[GETSOCKOPT_OTHER] = { "55 (getsockopt)" },
	[PTRACE] = { "101 (ptrace)" },
	[FORK] = { "56 (clone)" },
	[IOCTL_OTHER] = { "16 (ioctl)" },
	[X32] = { "1073741863 (x32 or foreign: ?)" },
};

static void make_forbidden(enum seccomp_kind kind, const void *arg)
{
	char *const argv[] = { "/bin/true", NULL };

	(void)kind;
	switch (*(const enum forbidden *)arg) {
	case EXECVE:
		execve(argv[0], argv, argv + 1);
		break;
	case OPEN_PASSWD:
		open("/etc/passwd", O_RDONLY);
		break;
	case SOCKET_INET:
		socket(AF_INET, SOCK_STREAM, 0);
		break;
	case SOCKET_UNIX:
		socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		break;
	case ACCEPT_BLOCKING:
		accept4(-1, NULL, NULL, SOCK_CLOEXEC);
		break;
	case GETSOCKOPT_OTHER: {
		int v;
		socklen_t len = sizeof(v);

		getsockopt(-1, SOL_SOCKET, SO_RCVBUF, &v, &len);
		break;
	}
	case PTRACE:
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		break;
	case FORK:
		syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		break;
	case IOCTL_OTHER:
		ioctl(-1, KVM_CREATE_VM, 0);
		break;
	case X32:
		syscall(0x40000000 | SYS_getpid);
		break;
	case FORBIDDEN:
		break;
	}
	_exit(42);	/* not stopped: the filter let it through */
}

/* Each forbidden syscall ends the child: status 1, one line naming the kind and the syscall. */
static void forbidden_syscalls(void)
{
	for (int k = 0; k < SECCOMP_KINDS; k++)
		for (enum forbidden f = 0; f < FORBIDDEN; f++) {
			struct outcome o = in_child((enum seccomp_kind)k, SECCOMP_ENFORCE,
						    make_forbidden, &f);
			char want[200];

			snprintf(want, sizeof(want), "capsule: seccomp: %s made forbidden syscall %s\n",
				 seccomp_filters[k].words, forbidden_reports[f].report);
			if (o.status != 1 || strcmp(o.err, want))
				printf("  %s, case %d: status %d signal %d: '%s'\n",
				       seccomp_filters[k].words, f, o.status, o.signal, o.err);
			CHECK(o.status == 1 && !strcmp(o.err, want));
		}
}

/* In log mode a forbidden syscall goes through (the kernel logs it); off, nothing is installed. */
static void log_and_off(void)
{
	enum forbidden f = SOCKET_INET;
	struct outcome o = in_child(SECCOMP_KIND_io, SECCOMP_LOG, make_forbidden, &f);

	CHECK(o.status == 42 && !o.err[0]);
	o = in_child(SECCOMP_KIND_vcpu, SECCOMP_OFF, make_forbidden, &f);
	CHECK(o.status == 42 && !o.err[0]);
}

/* The output of a run of the build-time compiler (malloc'd), or NULL. */
static char *compile_once(size_t *len)
{
	FILE *f = popen("out/seccomp/compile", "r");
	char *buf = malloc(1 << 20);

	*len = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		pclose(f);
	return buf;
}

/* The same policies give the same bytes: a build is reproducible. */
static void reproducible(void)
{
	size_t a_len, b_len;
	char *a = compile_once(&a_len), *b = compile_once(&b_len);

	CHECK(a_len > 1000 && a_len == b_len && !memcmp(a, b, a_len));
	free(a);
	free(b);
}

/* No policy allows kill(): its pid -1 reaches every process of the user, and seccomp cannot bound it. */
static void no_kill(void)
{
	for (int k = 0; k < SECCOMP_KINDS; k++)
		for (const struct policy_rule *r = policies[k]; r->nr != -1; r++)
			CHECK(r->nr != SYS_kill);
	for (const struct policy_rule *r = policy_common; r->nr != -1; r++)
		CHECK(r->nr != SYS_kill);
}

int main(void)
{
	RUN(no_kill);
	RUN(allowed_syscalls);
	RUN(forbidden_syscalls);
	RUN(log_and_off);
	RUN(reproducible);
	return CHECK_SUMMARY();
}
