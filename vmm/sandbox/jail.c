/* The jail: what capsule gives up, once everything it needs is open, before the guest runs. */
#include "sandbox/jail.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where the empty root is mounted before it becomes "/": any directory will do, in our namespace. */
static const char *const mount_points[] = { "/tmp", "/mnt", "/var", "/proc" };

/* Format ERR and return -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, ": %s", strerror(errno));
	return -1;
}

bool jail_is_root(void)
{
	return geteuid() == 0;
}

/* 1 and 2: our own namespaces, and an empty read-only root that nothing can be found in. */
static int empty_root(char *err, size_t errlen)
{
	const char *at = NULL;
	struct stat st;

	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
		return fail(err, errlen, "jail: new namespaces");
	/* Nothing we mount or unmount from here on reaches the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(err, errlen, "jail: private mounts");
	for (unsigned i = 0; i < sizeof(mount_points) / sizeof(*mount_points) && !at; i++)
		if (stat(mount_points[i], &st) == 0 && S_ISDIR(st.st_mode))
			at = mount_points[i];
	if (!at) {
		errno = ENOENT;
		return fail(err, errlen, "jail: no directory to mount the empty root on");
	}
	if (mount("capsule", at, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") < 0)
		return fail(err, errlen, "jail: an empty root on %s", at);
	/* pivot_root(".", "."): the old root ends up under the new one, then goes. */
	if (chdir(at) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return fail(err, errlen, "jail: pivot_root");
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return fail(err, errlen, "jail: detaching the old root");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return fail(err, errlen, "jail: the empty root read-only");
	return 0;
}

/* 3: nothing left to gain back: the bounding set, ambient capabilities, supplementary groups. */
static int drop_capability_sources(char *err, size_t errlen)
{
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return fail(err, errlen, "jail: dropping capability %d from the bounding set", cap);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(err, errlen, "jail: clearing ambient capabilities");
	if (setgroups(0, NULL) < 0)
		return fail(err, errlen, "jail: dropping supplementary groups");
	return 0;
}

/* 4: the unprivileged user; from root, that empties the permitted and effective sets too. */
static int become_user(const struct jail_options *o, char *err, size_t errlen)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (setresgid(o->gid, o->gid, o->gid) < 0)
		return fail(err, errlen, "jail: setresgid(%u)", (unsigned)o->gid);
	if (setresuid(o->uid, o->uid, o->uid) < 0)
		return fail(err, errlen, "jail: setresuid(%u)", (unsigned)o->uid);
	if (syscall(SYS_capget, &h, d) < 0)
		return fail(err, errlen, "jail: capget");
	if (d[0].effective || d[1].effective || d[0].permitted || d[1].permitted) {
		errno = EPERM;
		return fail(err, errlen, "jail: capabilities left after setresuid(%u)", (unsigned)o->uid);
	}
	return 0;
}

/* The highest open fd: one poll() over all possible ones (closed ones answer POLLNVAL). */
static int highest_fd(void)
{
	static struct pollfd p[4096];	/* start-up only: kept off the stack */
	struct rlimit lim;
	nfds_t n = 4096;
	int top = -1;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < n)
		n = (nfds_t)lim.rlim_cur;
	for (nfds_t i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = (int)i };
	if (poll(p, n, 0) < 0)
		return -1;
	for (nfds_t i = 0; i < n; i++)
		if (!(p[i].revents & POLLNVAL))
			top = (int)i;
	return top;
}

/* 5: for every process, root or not. */
static int limits(const struct jail_options *o, char *err, size_t errlen)
{
	struct rlimit none = { 0, 0 }, fds;
	int top = -1;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, errlen, "jail: no_new_privs");
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		return fail(err, errlen, "jail: no core dumps");
	top = highest_fd();
	if (top < 0)
		return fail(err, errlen, "jail: finding the open fds");
	fds.rlim_cur = fds.rlim_max = (rlim_t)(top + 1) + o->spare_fds;
	if (setrlimit(RLIMIT_NOFILE, &fds) < 0)
		return fail(err, errlen, "jail: limiting open files to %u", (unsigned)fds.rlim_cur);
	return 0;
}

int jail_isolate(const struct jail_options *o, char *err, size_t errlen)
{
	return o->enabled && jail_is_root() ? empty_root(err, errlen) : 0;
}

int jail_lock_down(const struct jail_options *o, char *err, size_t errlen)
{
	if (o->enabled && jail_is_root() &&
	    (drop_capability_sources(err, errlen) < 0 || become_user(o, err, errlen) < 0))
		return -1;
	return limits(o, err, errlen);
}

int jail_no_more_threads(void)
{
	struct rlimit none = { 0, 0 };

	/* Not setrlimit(): musl runs it on every thread, whose filters forbid prlimit64. */
	return syscall(SYS_prlimit64, 0, RLIMIT_NPROC, &none, NULL) < 0 ? -errno : 0;
}
