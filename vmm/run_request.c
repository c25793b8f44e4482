/* The request for the guest's init (vmm/abi/run_request.h): what to run, how, and where. */
#include "run_request.h"

#include <stdlib.h>
#include <string.h>

#include "abi/run_request.h"
#include "log.h"

/* Append "KEY=VALUE\0". */
static void put(struct run_request *r, const char *key, const char *value)
{
	size_t k = strlen(key), v = strlen(value);
	uint8_t *buf = realloc(r->buf, r->len + k + v + 2);

	if (!buf)
		die("the request for the guest: out of memory");
	r->buf = buf;
	memcpy(buf + r->len, key, k);
	buf[r->len + k] = '=';
	memcpy(buf + r->len + k + 1, value, v + 1);
	r->len += k + v + 2;
}

void run_request_build(struct run_request *r, const struct cli *cli, bool tty, const char *root)
{
	memset(r, 0, sizeof(*r));
	/* RUN_REQUEST_MAGIC is "KEY=VALUE" itself: its record is the string with its NUL. */
	put(r, "capsule-request", RUN_REQUEST_MAGIC + sizeof("capsule-request"));
	for (size_t i = 0; cli->argv && cli->argv[i]; i++)
		put(r, RUN_KEY_ARGV, cli->argv[i]);
	for (unsigned i = 0; i < cli->nenv; i++)
		put(r, RUN_KEY_ENV, cli->env[i]);
	if (cli->workdir)
		put(r, RUN_KEY_WORKDIR, cli->workdir);
	if (cli->user)
		put(r, RUN_KEY_USER, cli->user);
	if (tty)
		put(r, RUN_KEY_TTY, "1");
	if (root)
		put(r, RUN_KEY_ROOT, root);
	for (unsigned i = 0; i < cli->ncopy_in; i++)
		put(r, RUN_KEY_COPY_IN, cli->copy_in[i].guest);
	for (unsigned i = 0; i < cli->ncopy_out; i++)
		put(r, RUN_KEY_COPY_OUT, cli->copy_out[i].guest + 1);
	put(r, RUN_KEY_END, "");
}

void run_request_free(struct run_request *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = 0;
}
