/* The cleanup process: puts back what capsule changed on the host (taps, its control socket) when capsule ends, however it ends. */
#ifndef CAPSULE_SANDBOX_CLEANUP_H
#define CAPSULE_SANDBOX_CLEANUP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "backend/netif.h"

#define CLEANUP_ITEMS_MAX 16

/*
 * A file capsule made and removes when it ends (the control socket), by
 * name in a directory opened before the jail: the jailed process can no
 * longer reach its path. Removed only while the name is still that file.
 */
struct cleanup_file {
	int dir_fd;			/* -1: none */
	char name[NAME_MAX + 1];
	dev_t dev;
	ino_t ino;
};

struct cleanup {
	pid_t pid;		/* 0: no process (nothing to undo) */
	int pipe_fd;		/* its end closing tells the process capsule is done */
};

/*
 * When there is something to undo (N items of RESTORES, or FILE to remove:
 * FILE may be NULL), fork a process that keeps only what undoing it needs
 * (an AF_INET socket and CAP_NET_ADMIN for taps, FILE's directory), runs
 * under its own seccomp filter, waits for capsule to end (or die: a closed
 * pipe either way), then undoes it and exits. Call it after the jail's new
 * root, before privileges go. Returns 0, or -1 with ERR set.
 */
int cleanup_start(struct cleanup *c, const struct netif_restore *restores, unsigned n,
		  const struct cleanup_file *file, char *err, size_t errlen);

/* At an orderly end: let the process do its work now, and wait for it. */
void cleanup_finish(struct cleanup *c);

#endif
