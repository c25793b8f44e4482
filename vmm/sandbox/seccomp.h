/* Installing the build-time seccomp filters, one per thread, and reporting a forbidden syscall. */
#ifndef CAPSULE_SANDBOX_SECCOMP_H
#define CAPSULE_SANDBOX_SECCOMP_H

#include "sandbox/seccomp_filters.h"

enum seccomp_mode {
	SECCOMP_OFF,		/* no filter: for debugging only */
	SECCOMP_ENFORCE,	/* a forbidden syscall ends capsule with one line and status 1 */
	SECCOMP_LOG,		/* a forbidden syscall goes on; the kernel logs it (dmesg, audit) */
};

/* The most disk fds the SIGSYS handler makes durable before capsule ends. */
#define SECCOMP_SYNC_FDS_MAX 80

/*
 * Once, at start-up, before any filter: the mode for every thread, and the
 * SIGSYS handler that reports a forbidden syscall ("capsule: seccomp: I/O
 * thread made forbidden syscall 59 (execve)"), fdatasyncs the NSYNC disk fds
 * SYNC_FDS (what the guest wrote reaches the disk; nothing else is written)
 * and ends capsule with status 1. 0 or -errno.
 */
int seccomp_setup(enum seccomp_mode mode, const int *sync_fds, unsigned nsync);

/*
 * Put the calling thread under KIND's filter (its own: filters are per
 * thread, never synchronized), no_new_privs first. Nothing happens when the
 * mode is off. 0 or -errno.
 */
int seccomp_enter(enum seccomp_kind kind);

/* seccomp_enter(), dying with the reason on failure: for threads that cannot go on without it. */
void seccomp_enter_or_die(enum seccomp_kind kind);

#endif
