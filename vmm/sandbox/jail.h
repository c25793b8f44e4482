/* The jail: what capsule gives up, once everything it needs is open, before the guest runs. */
#ifndef CAPSULE_SANDBOX_JAIL_H
#define CAPSULE_SANDBOX_JAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct jail_options {
	bool enabled;		/* [jail] enabled: false skips the root-only steps */
	uid_t uid;		/* [jail] user, looked up before anything starts */
	gid_t gid;
	unsigned spare_fds;	/* fds capsule may still open later (RLIMIT_NOFILE above the highest) */
};

/*
 * The jail, single-threaded (every thread started later inherits it), in
 * this order, each step for a reason:
 *   jail_isolate():
 *   1. new mount, IPC and UTS namespaces: what follows is ours alone;
 *   2. pivot_root into an empty tmpfs, remounted read-only: no path leads
 *      anywhere (every file capsule needs is open already);
 *   (here the cleanup process forks: isolated, still privileged)
 *   jail_lock_down():
 *   3. the capability bounding set emptied and ambient ones cleared,
 *      supplementary groups dropped: nothing to regain;
 *   4. setresgid/setresuid to the unprivileged user, which leaves no
 *      capability permitted or effective (checked);
 *   5. no_new_privs; no core dumps (they would hold guest memory); at most
 *      the fds open now plus SPARE_FDS.
 * Steps 1-4 need root and are skipped when capsule is not root (or ENABLED
 * is false); 5 always happens. Seccomp comes last, per thread, and
 * jail_no_more_threads() once they all run. Each returns 0, or -1 with ERR
 * naming the step that failed (capsule must not go on).
 */
int jail_isolate(const struct jail_options *o, char *err, size_t errlen);
int jail_lock_down(const struct jail_options *o, char *err, size_t errlen);

/* Once every thread is started: no new process or thread from here on (RLIMIT_NPROC 0). */
int jail_no_more_threads(void);

/* Whether capsule runs as root and so takes the whole jail. */
bool jail_is_root(void);

#endif
