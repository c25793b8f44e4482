/* Reads what the monitor asked of init from the kernel command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode "hex,hex,..." (each an argument) into a NULL-terminated argv. */
static char **decode_argv(const char *s)
{
	size_t n = 1, len = strlen(s);
	char **argv;
	char *buf, *out;

	for (const char *p = s; *p; p++)
		n += *p == ',';
	argv = calloc(n + 1, sizeof(*argv));
	buf = malloc(len + n + 1);
	if (!argv || !buf)
		return NULL;
	out = buf;
	argv[0] = out;
	n = 1;
	for (const char *p = s; *p;) {
		if (*p == ',') {
			*out++ = '\0';
			argv[n++] = out;
			p++;
			continue;
		}
		if (hexval(p[0]) < 0 || !p[1] || hexval(p[1]) < 0)
			return NULL;
		*out++ = (char)(hexval(p[0]) << 4 | hexval(p[1]));
		p += 2;
	}
	*out = '\0';
	return argv;
}

/* Keep a capsule.net= value for init_net_setup: the line it sits in does not outlive the parse. */
static void add_net(struct init_request *req, const char *value)
{
	if (req->nnet == INIT_NET_MAX) {
		fprintf(stderr, "init: more than %d capsule.net=, ignoring %s\n", INIT_NET_MAX, value);
		return;
	}
	req->net[req->nnet] = strdup(value);
	if (req->net[req->nnet])
		req->nnet++;
}

void init_read_request(struct init_request *req)
{
	char line[4096], *tok, *save;
	FILE *f = fopen("/proc/cmdline", "r");

	memset(req, 0, sizeof(*req));
	strcpy(req->console, "/dev/hvc0");
	if (!f || !fgets(line, sizeof(line), f)) {
		fprintf(stderr, "init: cannot read /proc/cmdline\n");
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "capsule.argv=", 13)) {
			req->argv = decode_argv(tok + 13);
			if (!req->argv)
				fprintf(stderr, "init: bad capsule.argv\n");
		} else if (!strncmp(tok, "capsule.net=", 12)) {
			add_net(req, tok + 12);
		} else if (!strcmp(tok, "capsule.tty=1")) {
			req->tty = 1;
		} else if (!strncmp(tok, "console=", 8)) {
			/* "console=ttyS0,115200n8": the device name ends at the comma. */
			snprintf(req->console, sizeof(req->console), "/dev/%.*s",
				 (int)strcspn(tok + 8, ","), tok + 8);
		}
	}
}
