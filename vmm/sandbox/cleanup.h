/* The cleanup process: puts back what capsule changed on the host (taps) when capsule ends, however it ends. */
#ifndef CAPSULE_SANDBOX_CLEANUP_H
#define CAPSULE_SANDBOX_CLEANUP_H

#include <stddef.h>
#include <sys/types.h>

#include "backend/netif.h"

#define CLEANUP_ITEMS_MAX 16

struct cleanup {
	pid_t pid;		/* 0: no process (nothing to undo) */
	int pipe_fd;		/* its end closing tells the process capsule is done */
};

/*
 * When there is something to undo (N items of RESTORES), fork a process that
 * keeps only what undoing it needs (an AF_INET socket, CAP_NET_ADMIN), runs
 * under its own seccomp filter, waits for capsule to end (or die: a closed
 * pipe either way), then undoes it and exits. Call it after the jail's new
 * root, before privileges go. Returns 0, or -1 with ERR set.
 */
int cleanup_start(struct cleanup *c, const struct netif_restore *restores, unsigned n,
		  char *err, size_t errlen);

/* At an orderly end: let the process do its work now, and wait for it. */
void cleanup_finish(struct cleanup *c);

#endif
