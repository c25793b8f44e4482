/* capsule ctl: the control socket's client, run from the command line. */
#ifndef CAPSULE_CONTROL_CLIENT_H
#define CAPSULE_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stdio.h>

/* What the command line asked of capsule ctl (vmm/cli.c fills it). */
struct control_cli {
	const char *target;	/* the VM: NAME, a config file or a socket's PATH; NULL for list */
	bool list;		/* capsule ctl list */
	bool json;		/* --json: the answer's JSON line as it came */
	unsigned timeout;	/* --timeout SECONDS for shutdown; 0: not given */
	char **words;		/* COMMAND [ARG] */
	int nwords;
};

/*
 * Run capsule ctl: one request, its answer printed (short text, or the JSON
 * line with --json), or the list of VMs this user can reach. Returns the
 * exit status: 0 done, 1 the VM answered an error or could not be reached
 * (a line on stderr says which socket and why), 2 bad usage.
 */
int control_client_main(const struct control_cli *o);

/* capsule ctl's usage, with every command, on F. */
void control_client_usage(FILE *f);

#endif
