/* The config file's [net NAME] sections, and the defaults derived once everything is read. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_schema.h"

static int set_model(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	static const char *const names[] = {
		[CONFIG_NET_VIRTIO] = "virtio", [CONFIG_NET_RTL8139] = "rtl8139",
		[CONFIG_NET_E1000] = "e1000",
	};
	struct config_net *net = target;

	(void)base_dir;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(value, names[i])) {
			net->model = (enum config_net_model)i;
			return 0;
		}
	snprintf(why, n, "'%s' is not virtio, rtl8139 or e1000", value);
	return -1;
}

/* An interface name as Linux takes it: 1-15 characters, no '/', ':', blank or "%". */
static int set_ifname(char *dst, const char *value, char *why, size_t n)
{
	size_t len = strlen(value);

	if (!len || len > CONFIG_IFNAME_MAX || !strcmp(value, ".") || !strcmp(value, "..")) {
		snprintf(why, n, "'%s' is not an interface name (1 to %d characters)", value,
			 CONFIG_IFNAME_MAX);
		return -1;
	}
	for (const char *p = value; *p; p++)
		if (!isgraph((unsigned char)*p) || strchr("/:%", *p)) {
			snprintf(why, n, "'%s' is not an interface name (no '/', ':', '%%' or blanks)",
				 value);
			return -1;
		}
	strcpy(dst, value);
	return 0;
}

static int set_tap(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	(void)base_dir;
	if (set_ifname(((struct config_net *)target)->tap, value, why, n) < 0)
		return -1;
	return config_net_user_conflict(target, why, n);
}

static int set_bridge(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	(void)base_dir;
	if (set_ifname(((struct config_net *)target)->bridge, value, why, n) < 0)
		return -1;
	return config_net_user_conflict(target, why, n);
}

/*
 * xx:xx:xx:xx:xx:xx and nothing else. sscanf's %2x alone also takes a sign,
 * a blank or "0x" for a byte: "02:-1:00:00:00:01" would be 02:ff:00:00:00:01.
 */
static bool mac_syntax(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int set_mac(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config_net *net = target;
	unsigned b[6];

	(void)base_dir;
	if (!mac_syntax(value) ||
	    sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) {
		snprintf(why, n, "'%s' is not a MAC address (like 02:00:00:00:00:01)", value);
		return -1;
	}
	if (b[0] & 1) {
		snprintf(why, n, "'%s' is a multicast address; a NIC needs a unicast one", value);
		return -1;
	}
	if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5])) {
		snprintf(why, n, "'%s' is the all-zero address", value);
		return -1;
	}
	for (int i = 0; i < 6; i++)
		net->mac[i] = (uint8_t)b[i];
	net->mac_set = true;
	return 0;
}

static int set_queues(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config_net *net = target;
	char *end;
	long v;

	(void)base_dir;
	errno = 0;
	v = strtol(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end || errno || v < 1 || v > CONFIG_NET_QUEUES_MAX) {
		snprintf(why, n, "'%s' is not a queue count from 1 to %d", value,
			 CONFIG_NET_QUEUES_MAX);
		return -1;
	}
	net->queues = (unsigned)v;
	return config_net_user_conflict(net, why, n);
}

static int set_ip(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config_net *net = target;
	const char *slash = strchr(value, '/');
	char addr[INET_ADDRSTRLEN];
	struct in_addr a;
	char *end;
	long prefix;

	(void)base_dir;
	if (!slash || (size_t)(slash - value) >= sizeof(addr))
		goto bad;
	memcpy(addr, value, (size_t)(slash - value));
	addr[slash - value] = '\0';
	errno = 0;
	prefix = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, addr, &a) != 1 || !isdigit((unsigned char)slash[1]) || *end ||
	    errno || prefix < 1 || prefix > 32)
		goto bad;
	snprintf(net->ip, sizeof(net->ip), "%s/%ld", addr, prefix);
	return 0;
bad:
	snprintf(why, n, "'%s' is not an IPv4 address with a prefix length (like 198.18.0.2/24)", value);
	return -1;
}

static int set_gateway(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config_net *net = target;
	struct in_addr a;

	(void)base_dir;
	if (inet_pton(AF_INET, value, &a) != 1) {
		snprintf(why, n, "'%s' is not an IPv4 address", value);
		return -1;
	}
	snprintf(net->gateway, sizeof(net->gateway), "%s", value);
	return 0;
}

_Static_assert(offsetof(struct config_net, name) == 0, "config_add_instance needs name first");

void *config_open_net(struct config *cfg, const char *instance, char *why, size_t n)
{
	struct config_net *net = config_add_instance(cfg->nets, sizeof(cfg->nets[0]), &cfg->nnets,
						     CONFIG_NETS_MAX, "NIC", instance, why, n);

	if (net)
		net->queues = 1;
	return net;
}

int config_close_net(void *target, char *why, size_t n)
{
	struct config_net *net = target;

	if (net->model != CONFIG_NET_VIRTIO && net->queues > 1) {
		snprintf(why, n, "[net %s]: queues = %u needs model = virtio (the legacy NICs have one)",
			 net->name, net->queues);
		return -1;
	}
	if (net->gateway[0] && !net->ip[0]) {
		snprintf(why, n, "[net %s]: gateway needs ip", net->name);
		return -1;
	}
	return config_net_user_close(net, why, n);
}

const struct config_key config_net_keys[] = {
	{ "model", set_model },
	{ "tap", set_tap },
	{ "bridge", set_bridge },
	{ "mac", set_mac },
	{ "queues", set_queues },
	{ "ip", set_ip },
	{ "gateway", set_gateway },
	{ "backend", config_set_backend },
	{ "forward", config_set_forward },
	{ NULL, NULL },
};

/* FNV-1a: a stable hash, so a VM's NIC keeps its MAC from run to run. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;	/* a separator between strings */
}

void config_finish(struct config *cfg, const char *file)
{
	char *abs = file ? realpath(file, NULL) : NULL;

	if (!cfg->vm_name[0])
		snprintf(cfg->vm_name, sizeof(cfg->vm_name), "%s", abs ? abs : file ? file : "capsule");
	free(abs);
	for (unsigned i = 0; i < cfg->nnets; i++) {
		struct config_net *net = &cfg->nets[i];
		uint64_t h = fnv1a(fnv1a(0xcbf29ce484222325ull, cfg->vm_name), net->name);

		if (net->mac_set)
			continue;
		/* 02: locally administered, unicast; the rest from the hash. */
		net->mac[0] = 0x02;
		for (int b = 1; b < 6; b++)
			net->mac[b] = (uint8_t)(h >> (8 * b));
	}
}
