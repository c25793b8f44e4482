/* --copy-in and --copy-out for capsule run: their helper processes, from start to exit status. */
#ifndef CAPSULE_RUN_COPIES_H
#define CAPSULE_RUN_COPIES_H

#include "cli.h"
#include "transfer/transfer.h"

struct run_copies {
	struct transfer_proc in, out;	/* pid 0: no such copy */
};

/*
 * Start the helpers CLI asks for (before the jail and before guest RAM exists,
 * single-threaded, after seccomp_setup()); a bad host directory stops capsule
 * with one line, status 2. *IN_FD and *OUT_FD: the streams' pipes (-1 for
 * none), which the caller owns from now on (the console).
 */
void run_copies_start(struct run_copies *c, const struct cli *cli, int *in_fd, int *out_fd);

/* Wait for the helpers, once their pipes are closed: 0, or -1 when a copy failed (it said why). */
int run_copies_finish(struct run_copies *c);

#endif
