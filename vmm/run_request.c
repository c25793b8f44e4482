/* The request for the guest's init (vmm/abi/run_request.h): what to run, how, and where. */
#include "run_request.h"

#include <stdio.h>
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

/* Append a newc cpio entry: NAME (MODE) holding LEN bytes of DATA, each padded to 4 bytes. */
static void put_cpio(struct run_request *r, const char *name, unsigned mode, const uint8_t *data,
		     size_t len)
{
	size_t nlen = strlen(name) + 1, head = (110 + nlen + 3) & ~(size_t)3;
	size_t total = head + ((len + 3) & ~(size_t)3);
	uint8_t *buf = realloc(r->buf, r->len + total);

	if (!buf || len > 0xffffffffu)
		die("the request for the guest: out of memory");
	r->buf = buf;
	memset(buf + r->len, 0, total);
	/* ino, mode, uid, gid, nlink, mtime, filesize, dev and rdev major/minor, namesize, check. */
	snprintf((char *)buf + r->len, 111, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		 1u, mode, 0u, 0u, 1u, 0u, (unsigned)len, 0u, 0u, 0u, 0u, (unsigned)nlen, 0u);
	memcpy(buf + r->len + 110, name, nlen);
	if (len)
		memcpy(buf + r->len + head, data, len);
	r->len += total;
}

/* The records as a file of the initramfs: no size limit but guest RAM, there before init runs. */
static void wrap(struct run_request *r)
{
	struct run_request records = *r;

	memset(r, 0, sizeof(*r));
	put_cpio(r, RUN_REQUEST_FILE + 1, 0100400, records.buf, records.len);
	put_cpio(r, "TRAILER!!!", 0, NULL, 0);
	free(records.buf);
}

void run_request_build(struct run_request *r, const struct cli *cli, bool tty, const char *root,
		       unsigned rows, unsigned cols)
{
	char size[32];

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
	/*
	 * A console without MULTIPORT (a terminal alone) learns its size only
	 * from a config change, which Linux may handle before hvc0 is there to
	 * take it: init sets the size it starts with.
	 */
	if (rows && cols) {
		snprintf(size, sizeof(size), "%ux%u", rows, cols);
		put(r, RUN_KEY_WINSIZE, size);
	}
	for (unsigned i = 0; i < cli->ncopy_in; i++)
		put(r, RUN_KEY_COPY_IN, cli->copy_in[i].guest);
	for (unsigned i = 0; i < cli->ncopy_out; i++)
		put(r, RUN_KEY_COPY_OUT, cli->copy_out[i].guest + 1);
	put(r, RUN_KEY_END, "");
	wrap(r);
}

void run_request_free(struct run_request *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = 0;
}
