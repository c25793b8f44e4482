/* --copy-in and --copy-out for capsule run: their helper processes, from start to exit status. */
#include "run_copies.h"

#include <string.h>

#include "log.h"

/* The routes of N copies: each host directory and its guest path less the leading '/'. */
static void routes_of(const struct cli_copy *copies, unsigned n, struct transfer_route *r)
{
	for (unsigned i = 0; i < n; i++)
		r[i] = (struct transfer_route){ copies[i].host, copies[i].guest + 1 };
}

void run_copies_start(struct run_copies *c, const struct cli *cli, int *in_fd, int *out_fd)
{
	struct transfer_route r[CLI_COPIES_MAX];
	char err[512];

	_Static_assert(CLI_COPIES_MAX <= TRANSFER_ROUTES_MAX, "copies");
	memset(c, 0, sizeof(*c));
	*in_fd = *out_fd = -1;
	/*
	 * Copied-in files are root's in the stream: init gives them to --user,
	 * which only the guest's /etc/passwd can name.
	 */
	routes_of(cli->copy_in, cli->ncopy_in, r);
	if (cli->ncopy_in &&
	    transfer_send_start(r, cli->ncopy_in, 0, 0, "--copy-in", &c->in, err, sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
	routes_of(cli->copy_out, cli->ncopy_out, r);
	if (cli->ncopy_out &&
	    transfer_receive_start(r, cli->ncopy_out, cli->copy_out_max, "--copy-out", &c->out, err, sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
	/* The console reads and writes them, and closes them when a stream ends. */
	*in_fd = c->in.pid ? c->in.fd : -1;
	*out_fd = c->out.pid ? c->out.fd : -1;
	c->in.fd = c->out.fd = -1;
}

int run_copies_finish(struct run_copies *c)
{
	int in = c->in.pid ? transfer_finish(&c->in) : 0;
	int out = c->out.pid ? transfer_finish(&c->out) : 0;

	return in < 0 || out < 0 ? -1 : 0;
}
