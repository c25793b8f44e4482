/* The command line: which command, which config file, what to run in the guest. */
#ifndef CAPSULE_CLI_H
#define CAPSULE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "control/control_client.h"

#define CLI_DISKS_MAX 4
#define CLI_COPIES_MAX 8	/* --copy-in and --copy-out, each */
#define CLI_COPY_OUT_MAX_DEFAULT (4ull << 30)	/* a guest cannot fill the host's disk through it */
#define CLI_PUBLISH_MAX 16

/* --copy-in HOST:GUEST, --copy-out GUEST:HOST: a host directory and a guest path. */
struct cli_copy {
	const char *host;
	char guest[4096];	/* absolute, normalized: no "." or ".." parts, no '/' doubled or at the end */
};

struct cli {
	bool run;		/* "capsule run": a throwaway VM running a command */
	const char *config;	/* -c FILE, or NULL for the built-in defaults */
	bool boot_time;		/* --boot-time: report time to init on stderr */
	char **argv;		/* the guest command, NULL-terminated; NULL for a shell */
	const char *disks[CLI_DISKS_MAX];	/* --disk FILE: throwaway-overlay disks */
	unsigned ndisks;
	const char *image;	/* --image IMG: the command's root filesystem ([vm] root) */
	bool persist;		/* --persist: the guest's writes to IMG stay ([vm] persist) */
	char **env;		/* -e NAME=VALUE, host's NAME resolved; NULL-terminated */
	unsigned nenv;
	bool tty;		/* -t: CMD gets a terminal (the guest's hvc0), even when stdin is none */
	bool interactive;	/* -i: stdin stays CMD's; without -t, on ports even from a terminal */
	const char *workdir;	/* -w DIR, absolute; NULL: the user's home */
	const char *user;	/* --user UID[:GID] or NAME[:GROUP]; NULL: root */
	struct cli_copy copy_in[CLI_COPIES_MAX], copy_out[CLI_COPIES_MAX];
	unsigned ncopy_in, ncopy_out;
	uint64_t copy_out_max;	/* --copy-out-max: bytes of file data --copy-out writes at most */
	bool net_user;		/* --net user: a user-mode NIC (passt) */
	const char *publish[CLI_PUBLISH_MAX];	/* -p HOST:GUEST[/udp], checked by the config */
	unsigned npublish;
	bool ctl;		/* "capsule ctl": talk to a running VM, as CTL_ARGS says */
	struct control_cli ctl_args;
};

/*
 * Parse ARGV into CLI. Prints help and exits 0 for --help (capsule ctl
 * --help: ctl's); exits 2 on bad usage.
 */
void cli_parse(int argc, char **argv, struct cli *cli);

#endif
