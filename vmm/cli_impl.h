/* The command line's parts, shared between its files. */
#ifndef CAPSULE_CLI_IMPL_H
#define CAPSULE_CLI_IMPL_H

#include "cli.h"

/* "capsule: " FMT (with ARG), a hint at --help, exit 2. */
void cli_bad_usage(const char *fmt, const char *arg) __attribute__((noreturn));

/* capsule run's options for the command: each checks ARG and stores it in CLI, or exits 2. */
void cli_run_env(struct cli *cli, const char *arg);
void cli_run_workdir(struct cli *cli, const char *arg);
void cli_run_user(struct cli *cli, const char *arg);
void cli_run_copy(struct cli *cli, const char *arg, bool in);
void cli_run_copy_out_max(struct cli *cli, const char *arg);

#endif
