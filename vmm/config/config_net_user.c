/* User-mode NICs: [net NAME] backend and forward, their defaults, and --net user / -p from the command line. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_schema.h"

/* A port number, 1 to 65535, digits only. */
static bool parse_port(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;

	if (!len || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* HOST:GUEST, HOST:GUEST/tcp or HOST:GUEST/udp, LEN characters of S. */
static int parse_forward(const char *s, size_t len, struct config_forward *f, char *why, size_t n)
{
	const char *colon = memchr(s, ':', len), *slash = memchr(s, '/', len);
	size_t end = slash ? (size_t)(slash - s) : len;

	f->udp = false;
	if (slash && len - end == 4 && !memcmp(slash, "/udp", 4))
		f->udp = true;
	else if (slash && !(len - end == 4 && !memcmp(slash, "/tcp", 4)))
		goto bad;
	if (!colon || colon > s + end || !parse_port(s, (size_t)(colon - s), &f->host) ||
	    !parse_port(colon + 1, (size_t)(s + end - colon - 1), &f->guest))
		goto bad;
	return 0;
bad:
	snprintf(why, n, "'%.*s' is not HOST:GUEST[/udp] (ports 1 to 65535)", (int)len, s);
	return -1;
}

/* One more forward for NET; a host port forwarded twice could not be bound twice. */
static int add_forward(struct config_net *net, const struct config_forward *f, char *why, size_t n)
{
	for (unsigned i = 0; i < net->nforwards; i++)
		if (net->forwards[i].host == f->host && net->forwards[i].udp == f->udp) {
			snprintf(why, n, "host port %u/%s is forwarded twice", f->host,
				 f->udp ? "udp" : "tcp");
			return -1;
		}
	if (net->nforwards == CONFIG_FORWARDS_MAX) {
		snprintf(why, n, "more than %d forwarded ports", CONFIG_FORWARDS_MAX);
		return -1;
	}
	net->forwards[net->nforwards++] = *f;
	return 0;
}

int config_set_forward(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config_net *net = target;

	(void)base_dir;
	if (!*value) {
		snprintf(why, n, "empty (HOST:GUEST[/udp], comma-separated)");
		return -1;
	}
	for (const char *p = value; *p;) {
		size_t len = strcspn(p, ",");
		struct config_forward f;
		const char *s = p;

		p += len + (p[len] == ',');
		while (len && isspace((unsigned char)*s))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (parse_forward(s, len, &f, why, n) < 0 || add_forward(net, &f, why, n) < 0)
			return -1;
	}
	return 0;
}

int config_set_backend(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	static const char *const names[] = { [CONFIG_NET_TAP] = "tap", [CONFIG_NET_USER] = "user",
					     NULL };
	struct config_net *net = target;
	int i = config_value_choice(value, names, why, n);

	(void)base_dir;
	if (i < 0)
		return -1;
	net->backend = (enum config_net_backend)i;
	return config_net_user_conflict(net, why, n);
}

int config_net_user_conflict(const struct config_net *net, char *why, size_t n)
{
	const char *what = net->tap[0] ? "tap" : net->bridge[0] ? "bridge" : NULL;

	if (net->backend != CONFIG_NET_USER)
		return 0;
	if (what) {
		snprintf(why, n, "a user-mode NIC (backend = user) has no %s", what);
		return -1;
	}
	if (net->queues > 1) {
		snprintf(why, n, "a user-mode NIC (backend = user) has one queue, not %u", net->queues);
		return -1;
	}
	return 0;
}

int config_net_user_close(struct config_net *net, char *why, size_t n)
{
	if (net->backend != CONFIG_NET_USER) {
		if (net->nforwards)
			snprintf(why, n, "[net %s]: forward needs backend = user", net->name);
		return net->nforwards ? -1 : 0;
	}
	if (!net->ip[0]) {
		snprintf(net->ip, sizeof(net->ip), "%s", CONFIG_USER_NET_IP);
		if (!net->gateway[0])
			snprintf(net->gateway, sizeof(net->gateway), "%s", CONFIG_USER_NET_GATEWAY);
	}
	if (!net->gateway[0]) {
		snprintf(why, n, "[net %s]: backend = user with ip needs gateway (where the guest "
			 "reaches the host)", net->name);
		return -1;
	}
	return 0;
}

/* The NIC -p goes to: the one --net user added, else the config's first user-mode one. */
static struct config_net *publish_target(struct config *cfg, struct config_net *added)
{
	if (added)
		return added;
	for (unsigned i = 0; i < cfg->nnets; i++)
		if (cfg->nets[i].backend == CONFIG_NET_USER)
			return &cfg->nets[i];
	return NULL;
}

/* --net user: [net user] with backend = user, or user-1, user-2... when that name is taken. */
static struct config_net *add_user_net(struct config *cfg, char *err, size_t errlen)
{
	char name[CONFIG_NAME_MAX], why[256];
	struct config_net *net = NULL;

	for (unsigned k = 0; !net && k < CONFIG_NETS_MAX + 1; k++) {
		bool taken = false;

		snprintf(name, sizeof(name), k ? "user-%u" : "user", k);
		for (unsigned i = 0; i < cfg->nnets; i++)
			taken |= !strcmp(cfg->nets[i].name, name);
		if (taken)
			continue;
		net = config_open_net(cfg, name, why, sizeof(why));
		if (!net) {
			snprintf(err, errlen, "--net user: %s", why);
			return NULL;
		}
	}
	net->backend = CONFIG_NET_USER;
	config_net_user_close(net, why, sizeof(why));
	return net;
}

int config_apply_net_cli(struct config *cfg, bool net_user, const char *const *publish,
			 unsigned n, char *err, size_t errlen)
{
	struct config_net *added = NULL, *target;
	char why[256];

	if (net_user && !(added = add_user_net(cfg, err, errlen)))
		return -1;
	target = publish_target(cfg, added);
	for (unsigned i = 0; i < n; i++) {
		struct config_forward f;

		if (!target) {
			snprintf(err, errlen, "-p %s needs --net user", publish[i]);
			return -1;
		}
		if (parse_forward(publish[i], strlen(publish[i]), &f, why, sizeof(why)) < 0 ||
		    add_forward(target, &f, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "-p: %s", why);
			return -1;
		}
	}
	return 0;
}
