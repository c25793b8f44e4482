/* The command line: which command, which config file, what to run in the guest. */
#ifndef CAPSULE_CLI_H
#define CAPSULE_CLI_H

#include <stdbool.h>

#include "control/control_client.h"

#define CLI_DISKS_MAX 4

struct cli {
	bool run;		/* "capsule run": a throwaway VM running a command */
	const char *config;	/* -c FILE, or NULL for the built-in defaults */
	bool boot_time;		/* --boot-time: report time to init on stderr */
	char **argv;		/* the guest command, NULL-terminated; NULL for a shell */
	const char *disks[CLI_DISKS_MAX];	/* --disk FILE: throwaway-overlay disks */
	unsigned ndisks;
	bool ctl;		/* "capsule ctl": talk to a running VM, as CTL_ARGS says */
	struct control_cli ctl_args;
};

/*
 * Parse ARGV into CLI. Prints help and exits 0 for --help (capsule ctl
 * --help: ctl's); exits 2 on bad usage.
 */
void cli_parse(int argc, char **argv, struct cli *cli);

#endif
