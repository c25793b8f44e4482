/* The request for the guest's init (vmm/abi/run_request.h): what to run, how, and where. */
#ifndef CAPSULE_RUN_REQUEST_H
#define CAPSULE_RUN_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

struct run_request {
	uint8_t *buf;		/* a cpio archive holding RUN_REQUEST_FILE, malloc'ed */
	size_t len;
};

/*
 * Encode what CLI asks of the guest: the command (none: a shell), -e, -w,
 * --user, --copy-in/--copy-out, whether it gets the terminal (TTY), and ROOT
 * (the root disk's /dev path, or NULL), and the terminal's ROWS and COLS
 * (0: not a terminal); as a cpio archive (newc) to append to
 * the initrd. Dies when out of memory.
 */
void run_request_build(struct run_request *r, const struct cli *cli, bool tty, const char *root,
		       unsigned rows, unsigned cols);

void run_request_free(struct run_request *r);

#endif
