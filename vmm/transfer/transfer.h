/* --copy-in and --copy-out on the host: one tar stream per direction, made or taken apart by a sandboxed child process. */
#ifndef CAPSULE_TRANSFER_TRANSFER_H
#define CAPSULE_TRANSFER_TRANSFER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The most routes one direction takes. */
#define TRANSFER_ROUTES_MAX 16

/* One host directory and where it is in the guest. */
struct transfer_route {
	const char *host;		/* the host directory's path */
	const char *prefix;		/* the guest path less its leading '/': "src" for /src, "" for / */
};

/* A running transfer process. */
struct transfer_proc {
	pid_t pid;			/* 0: none */
	int fd;				/* the caller's end of the stream (O_CLOEXEC|O_NONBLOCK); -1 once closed */
	const char *label;		/* as given, for transfer_finish()'s message */
};

/*
 * Copy-in. Checks that each route's host directory exists and is a
 * directory (else ERR names it: "LABEL: 'HOST': why", -1, no process) and
 * forks a child that writes one tar stream of all routes, in order, into a
 * pipe: for each a directory entry PREFIX/ (unless PREFIX is empty), then
 * its tree as PREFIX/REL, owned by UID:GID, modes and mtimes kept, symlinks
 * as symlinks; other kinds are skipped with a warning line. P->fd is the
 * pipe's read end: read it until end of file (0), then transfer_finish().
 * PREFIX may have slashes at either end (dropped); ".." in it is refused.
 * Call it single-threaded, before the jail, after seccomp_setup() (the
 * child installs its filter in the mode that set; unset is none).
 */
int transfer_send_start(const struct transfer_route *routes, unsigned n, uid_t uid, gid_t gid,
			const char *label, struct transfer_proc *p, char *err, size_t errlen);

/*
 * Copy-out. Opens each route's host directory, making it when missing
 * (only it: its parent must exist), else ERR and -1; then forks a child
 * that reads one tar stream from a pipe and extracts it: members under
 * PREFIX go to the route's directory (tar_extract.h says how, and what is
 * refused), at most MAX_BYTES bytes of file data (0: no bound). The child
 * prints one line "capsule: LABEL: member 'NAME': why" on the first
 * problem and reads on to the end. P->fd is the pipe's write end: write the
 * stream into it, then transfer_finish() closes it and waits.
 */
int transfer_receive_start(const struct transfer_route *routes, unsigned n, uint64_t max_bytes,
			   const char *label, struct transfer_proc *p, char *err, size_t errlen);

/*
 * Close P->fd if still open and wait for the child: 0 when it succeeded,
 * -1 when it failed (it printed why; killed by a signal: said here).
 */
int transfer_finish(struct transfer_proc *p);

#endif
