/* capsule run's options for the command in the guest: -e, -w, --user, --copy-in, --copy-out. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli_impl.h"
#include "config/config.h"

/* An environment variable's name: printable, no space and no '=', not empty (docker takes any such). */
static bool env_name_ok(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == '=')
			return false;
	return true;
}

/*
 * -e NAME=VALUE, or -e NAME: the host's own NAME, left out when the host has
 * none (as docker does). Kept in order; a later -e of a name wins in the guest.
 */
void cli_run_env(struct cli *cli, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	char *host;

	if (!env_name_ok(arg, len))
		cli_bad_usage("-e '%s': not NAME=VALUE (NAME printable, without spaces or '=')", arg);
	if (!eq) {
		host = getenv(arg);
		if (!host)
			return;
		arg = host - len - 1;	/* getenv's value follows "NAME=" in the environment */
	}
	cli->env = realloc(cli->env, (cli->nenv + 2) * sizeof(*cli->env));
	if (!cli->env)
		cli_bad_usage("-e: out of memory%s", "");
	cli->env[cli->nenv++] = (char *)arg;
	cli->env[cli->nenv] = NULL;
}

/*
 * PATH absolute and normalized into OUT (of SIZE): "." parts and doubled or
 * trailing slashes dropped; ".." refused, so that a guest path means one place.
 * Returns 0, or -1.
 */
static int normalize(const char *path, char *out, size_t size)
{
	size_t len = 0;

	if (path[0] != '/')
		return -1;
	for (const char *p = path; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (len + 1 + n >= size)
			return -1;
		out[len++] = '/';
		memcpy(out + len, p, n);
		len += n;
		p += n;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

void cli_run_workdir(struct cli *cli, const char *arg)
{
	char norm[4096];

	if (normalize(arg, norm, sizeof(norm)) < 0)
		cli_bad_usage("-w '%s': not an absolute path in the guest (without '..')", arg);
	cli->workdir = arg;
}

/* A user or group: a number, or a name as useradd takes it. */
static bool id_ok(const char *s, size_t len)
{
	if (!len || len > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* --user UID[:GID] or NAME[:GROUP]: names are looked up in the guest's /etc/passwd and /etc/group. */
void cli_run_user(struct cli *cli, const char *arg)
{
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);

	if (!id_ok(arg, len) || (colon && !id_ok(colon + 1, strlen(colon + 1))))
		cli_bad_usage("--user '%s': not UID[:GID] or NAME[:GROUP]", arg);
	cli->user = arg;
}

/* --copy-in HOST:GUEST (GUEST after the last ':'), --copy-out GUEST:HOST (GUEST before the first). */
void cli_run_copy(struct cli *cli, const char *arg, bool in)
{
	const char *opt = in ? "--copy-in" : "--copy-out";
	const char *colon = in ? strrchr(arg, ':') : strchr(arg, ':');
	struct cli_copy *c;
	char guest[4096];
	size_t glen;

	if ((in ? cli->ncopy_in : cli->ncopy_out) == CLI_COPIES_MAX)
		cli_bad_usage("more than 8 %s options", opt);
	if (!colon || colon == arg || !colon[1])
		cli_bad_usage(in ? "--copy-in '%s': not HOST:GUEST" : "--copy-out '%s': not GUEST:HOST",
			      arg);
	glen = in ? strlen(colon + 1) : (size_t)(colon - arg);
	if (glen >= sizeof(guest))
		cli_bad_usage("%s: the guest path is too long", opt);
	memcpy(guest, in ? colon + 1 : arg, glen);
	guest[glen] = '\0';
	c = in ? &cli->copy_in[cli->ncopy_in++] : &cli->copy_out[cli->ncopy_out++];
	if (normalize(guest, c->guest, sizeof(c->guest)) < 0)
		cli_bad_usage("%s: the guest path is not absolute, or has '..'", opt);
	if (in) {
		c->host = strndup(arg, (size_t)(colon - arg));
	} else {
		c->host = colon + 1;
	}
	if (!c->host)
		cli_bad_usage("%s: out of memory", opt);
}

/* --copy-out-max SIZE: a guest's stream stops being written past it (the copy then fails). */
void cli_run_copy_out_max(struct cli *cli, const char *arg)
{
	if (config_parse_size(arg, &cli->copy_out_max) < 0 || cli->copy_out_max == 0)
		cli_bad_usage("--copy-out-max '%s': not a size (such as 512M or 8G)", arg);
}
