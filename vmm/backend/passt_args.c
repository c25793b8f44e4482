/* passt's command line: where it finds it, and every option capsule gives it, each for a reason. */
#include "backend/passt.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The MAC passt answers with for every address but the guest's: fixed, locally administered. */
#define PASST_GATEWAY_MAC "02:ca:95:00:02:02"

int passt_find(char *path_out)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (len && len < PATH_MAX - 7) {
			snprintf(path_out, PATH_MAX, "%.*s/passt", (int)len, path);
			if (access(path_out, X_OK) == 0)
				return 0;
		}
		path += len + (path[len] == ':');
	}
	return -1;
}

struct argv_builder {
	char **argv;
	unsigned n;
	char *buf;
	size_t used;
};

/* One more argument, copied into the builder's buffer (sized for the most options). */
static void arg(struct argv_builder *b, const char *s)
{
	size_t len = strlen(s) + 1;

	if (b->n + 1 >= PASST_ARGV_MAX || b->used + len > PASST_ARGBUF)
		return;
	memcpy(b->buf + b->used, s, len);
	b->argv[b->n++] = b->buf + b->used;
	b->argv[b->n] = NULL;
	b->used += len;
}

static void arg_addr(struct argv_builder *b, struct in_addr a)
{
	char s[INET_ADDRSTRLEN];

	arg(b, inet_ntop(AF_INET, &a, s, sizeof(s)) ? s : "0.0.0.0");
}

static void arg_uint(struct argv_builder *b, unsigned v)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", v);
	arg(b, s);
}

/* -t/-u 127.0.0.1/HOST:GUEST: bound to the host's loopback only, never to its other addresses. */
static void forwards(struct argv_builder *b, const struct passt_options *o, bool udp)
{
	bool any = false;

	for (unsigned i = 0; i < o->nforwards; i++) {
		char s[48];

		if (o->forwards[i].udp != udp)
			continue;
		snprintf(s, sizeof(s), "127.0.0.1/%u:%u", o->forwards[i].host, o->forwards[i].guest);
		arg(b, udp ? "-u" : "-t");
		arg(b, s);
		any = true;
	}
	/* passt forwards UDP on the TCP ports unless told otherwise: only what was asked. */
	if (!any) {
		arg(b, udp ? "-u" : "-t");
		arg(b, "none");
	}
}

void passt_argv(const struct passt_options *o, int fd, bool as_root, char **argv, char *buf)
{
	struct argv_builder b = { argv, 0, buf, 0 };

	argv[0] = NULL;
	arg(&b, "passt");
	arg(&b, "--foreground");	/* capsule's child, no daemon: capsule reaps it */
	arg(&b, "--quiet");		/* errors only on stderr, no banner */
	arg(&b, "--fd");		/* the socket pair's end: no path, no listener; implies --one-off */
	arg_uint(&b, (unsigned)fd);
	arg(&b, "--ipv4-only");		/* init configures IPv4 only */
	/*
	 * passt copies the host's addresses and routes from an interface; with
	 * all of them given, lo will do, so a host without a network (the
	 * emulated test host) works as well. lo has no MAC: passt's own is given.
	 */
	arg(&b, "--interface");
	arg(&b, "lo");
	arg(&b, "--mac-addr");
	arg(&b, PASST_GATEWAY_MAC);
	arg(&b, "--address");		/* what init configures statically (capsule.net=) */
	arg_addr(&b, o->addr);
	arg(&b, "--netmask");
	arg_uint(&b, o->prefix);
	arg(&b, "--gateway");		/* connections to it reach the host's 127.0.0.1 */
	arg_addr(&b, o->gateway);
	arg(&b, "--dns-forward");	/* queries to this address go to the host's nameserver */
	arg_addr(&b, o->dns);
	if (as_root) {
		/* What passt does anyway as root, said so that it does not print it. */
		arg(&b, "--runas");
		arg(&b, "nobody");
	}
	forwards(&b, o, false);
	forwards(&b, o, true);
}
