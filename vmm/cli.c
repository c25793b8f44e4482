/* The command line: which command, which config file, what to run in the guest. */
#include "cli_impl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control_proto.h"
#include "log.h"

#ifndef CAPSULE_VERSION
#define CAPSULE_VERSION "0.1"
#endif

static const char usage[] =
	"usage: capsule [OPTIONS]                       boot the appliance to a shell\n"
	"       capsule run [OPTIONS] [--] CMD [ARG...]  run CMD in a throwaway VM,\n"
	"                                               print its output, exit with its status\n"
	"       capsule ctl NAME COMMAND [ARG]           steer a running VM (capsule ctl --help)\n"
	"\n"
	"options:\n"
	"  -c, --config FILE  the appliance config (default: the built-in one)\n"
	"      --disk FILE    add FILE (raw or qcow2) as the next disk, behind a throwaway\n"
	"                     overlay: the guest may write, FILE stays as it is\n"
	"      --net user     a NIC on user-mode networking (passt): no root, no tap; the\n"
	"                     guest is 10.0.2.15/24, the host's 127.0.0.1 is 10.0.2.2\n"
	"  -p, --publish HOST:GUEST[/udp]  forward the host's 127.0.0.1:HOST to the\n"
	"                     guest's port GUEST (needs --net user; repeatable)\n"
	"      --boot-time    report on stderr how long the guest took to reach init\n"
	"\n"
	"run options (docker run's meanings):\n"
	"      --image IMG    IMG (raw or qcow2, an ext4 filesystem) is CMD's root, behind a\n"
	"                     throwaway overlay\n"
	"      --persist      with --image: the guest's writes stay in IMG\n"
	"  -t, --tty          CMD gets a terminal (the default when stdin is one)\n"
	"  -i, --interactive  CMD reads capsule's stdin (always so); without -t, CMD gets\n"
	"                     pipes (stdout and stderr apart) even when stdin is a terminal\n"
	"  -e, --env NAME=VALUE  set NAME in CMD's environment (-e NAME: the host's NAME)\n"
	"  -w, --workdir DIR  CMD starts in DIR (made if missing; default the user's home)\n"
	"  -u, --user UID[:GID]|NAME[:GROUP]  run CMD as this user of the guest (default root)\n"
	"      --copy-in HOST:GUEST   copy the host directory HOST to GUEST before CMD runs\n"
	"      --copy-out GUEST:HOST  copy the guest directory GUEST to HOST after CMD ends\n"
	"      --copy-out-max SIZE    --copy-out writes at most SIZE of files (default 4G)\n"
	"  -h, --help         show this help\n"
	"  -V, --version      show the version\n"
	"\n"
	"In the shell, Ctrl-A x ends the VM. Needs /dev/kvm.\n"
	"\n"
	"Sandbox: every thread runs under its own seccomp filter; a forbidden syscall\n"
	"ends capsule with status 1 and one line saying which ([vm] seccomp = log only\n"
	"logs it, to the kernel log; off is for debugging). Started as root, capsule\n"
	"also jails itself before the guest runs: new namespaces, an empty read-only\n"
	"root, no capabilities, [jail] user (default nobody); [jail] enabled = false\n"
	"skips that. As another user it skips the jail's root-only steps (namespaces,\n"
	"empty root, user change) and keeps seccomp, no_new_privs and its rlimits.\n";

void cli_bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "capsule: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(capsule --help shows the usage)\n");
	exit(EXIT_CAPSULE_USAGE);
}

/* capsule ctl [--json] [--timeout SECONDS] NAME|SOCKET COMMAND [ARG], or list. */
static void parse_ctl(int argc, char **argv, struct control_cli *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > CONTROL_SECONDS_MAX)
				cli_bad_usage("--timeout '%s': not a number of seconds from 1 to 3600",
					  optarg);
			o->timeout = (unsigned)v;
			break;
		case 'h':
			control_client_usage(stdout);
			exit(0);
		default:
			cli_bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		cli_bad_usage("ctl needs a VM (NAME or SOCKET) and a COMMAND, or list%s", "");
	o->list = !strcmp(argv[optind], "list");
	o->target = o->list ? NULL : argv[optind];
	o->words = &argv[optind + 1];
	o->nwords = argc - optind - 1;
	if (o->list && (o->nwords || o->timeout))
		cli_bad_usage("ctl list takes no arguments%s", "");
	if (!o->list && !o->nwords)
		cli_bad_usage("ctl %s: which COMMAND? (capsule ctl --help lists them)", argv[optind]);
}

void cli_parse(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "boot-time", no_argument, NULL, 'T' },
		{ "disk", required_argument, NULL, 'D' },
		{ "image", required_argument, NULL, 'I' },
		{ "persist", no_argument, NULL, 'P' },
		{ "env", required_argument, NULL, 'e' },
		{ "tty", no_argument, NULL, 't' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "copy-in", required_argument, NULL, 'i' + 256 },
		{ "copy-out", required_argument, NULL, 'o' + 256 },
		{ "copy-out-max", required_argument, NULL, 'm' + 256 },
		{ "net", required_argument, NULL, 'N' },
		{ "publish", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, first = 1;

	memset(cli, 0, sizeof(*cli));
	cli->copy_out_max = CLI_COPY_OUT_MAX_DEFAULT;
	if (argc > 1 && !strcmp(argv[1], "ctl")) {
		cli->ctl = true;
		parse_ctl(argc, argv, &cli->ctl_args);
		return;
	}
	if (argc > 1 && !strcmp(argv[1], "run")) {
		cli->run = true;
		first = 2;
	}
	optind = first;
	opterr = 0;
	/* "+": stop at the first non-option, so the guest command keeps its own options. */
	while ((c = getopt_long(argc, argv, "+:c:e:w:u:p:ithV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cli->config = optarg;
			break;
		case 'T':
			cli->boot_time = true;
			break;
		case 'D':
			if (cli->ndisks == CLI_DISKS_MAX)
				cli_bad_usage("more than 4 --disk options%s", "");
			cli->disks[cli->ndisks++] = optarg;
			break;
		case 'I':
			cli->image = optarg;
			break;
		case 'P':
			cli->persist = true;
			break;
		case 'e':
			cli_run_env(cli, optarg);
			break;
		case 't':
			cli->tty = true;
			break;
		case 'i':
			cli->interactive = true;
			break;
		case 'w':
			cli_run_workdir(cli, optarg);
			break;
		case 'u':
			cli_run_user(cli, optarg);
			break;
		case 'i' + 256:
		case 'o' + 256:
			cli_run_copy(cli, optarg, c == 'i' + 256);
			break;
		case 'm' + 256:
			cli_run_copy_out_max(cli, optarg);
			break;
		case 'N':
			if (strcmp(optarg, "user"))
				cli_bad_usage("--net '%s': only --net user (configure taps in [net NAME])",
					  optarg);
			cli->net_user = true;
			break;
		case 'p':
			if (cli->npublish == CLI_PUBLISH_MAX)
				cli_bad_usage("more than 16 -p options%s", "");
			cli->publish[cli->npublish++] = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case 'V':
			printf("capsule %s\n", CAPSULE_VERSION);
			exit(0);
		case ':':
			cli_bad_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			cli_bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (!cli->run)
			cli_bad_usage("unknown command '%s'", argv[optind]);
		cli->argv = &argv[optind];
	}
}
