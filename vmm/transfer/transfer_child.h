/* What a transfer process does first: nothing of capsule's left but the fds it needs, then its seccomp filter. */
#ifndef CAPSULE_TRANSFER_TRANSFER_CHILD_H
#define CAPSULE_TRANSFER_TRANSFER_CHILD_H

#include <sys/types.h>

#include "sandbox/seccomp.h"

/* The first fd a child finds its own at: FDS[i] becomes TRANSFER_CHILD_FD0 + i. */
#define TRANSFER_CHILD_FD0 3

/*
 * In a freshly forked child of PARENT: die with the parent (SIGKILL), the
 * parent's signal handlers back to default, SIGPIPE ignored (a write to a
 * closed pipe is an error to report) and so are SIGINT, SIGQUIT, SIGHUP and
 * SIGTERM (capsule decides when a transfer ends), the N fds FDS moved to
 * TRANSFER_CHILD_FD0.. and every other fd above stderr closed, named NAME,
 * no_new_privs, KIND's seccomp filter. Any failure ends the child (status 1).
 */
void transfer_child_enter(const int *fds, unsigned n, pid_t parent, const char *name,
			  enum seccomp_kind kind);

#endif
