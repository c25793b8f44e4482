/* The guest's NICs: each [net NAME]'s backend, the device model in front of it, and what init is told. */
#include "nics.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/passt.h"
#include "backend/tap.h"
#include "log.h"

_Static_assert(CONFIG_FORWARDS_MAX <= PASST_FORWARDS_MAX, "forwards");

/* "A.B.C.D/P" (checked by the config parser) into an address and a prefix length. */
static void split_ip(const char *ip, struct in_addr *addr, unsigned *prefix)
{
	char a[INET_ADDRSTRLEN];
	size_t len = strcspn(ip, "/");

	snprintf(a, sizeof(a), "%.*s", (int)len, ip);
	inet_pton(AF_INET, a, addr);
	*prefix = ip[len] ? (unsigned)atoi(ip + len + 1) : 32;
}

/* backend = user: passt, its addresses what init is told (capsule.net=). */
static int open_user(const struct config_net *c, struct net_backend **be, char *err, size_t n)
{
	struct passt_forward fwd[CONFIG_FORWARDS_MAX];
	char path[PATH_MAX];
	struct passt_options o = { .path = path, .guest_mac = c->mac, .forwards = fwd,
				   .nforwards = c->nforwards };

	if (passt_find(path) < 0)
		die_status(EXIT_CAPSULE_USAGE, "--net user needs passt (apt-get install passt)");
	for (unsigned i = 0; i < c->nforwards; i++)
		fwd[i] = (struct passt_forward){ c->forwards[i].host, c->forwards[i].guest,
						 c->forwards[i].udp };
	split_ip(c->ip, &o.addr, &o.prefix);
	inet_pton(AF_INET, c->gateway, &o.gateway);
	inet_pton(AF_INET, CONFIG_USER_NET_DNS, &o.dns);
	return passt_open(&o, be, err, n);
}

void nics_open(struct nics *nics, const struct config *cfg)
{
	for (unsigned i = 0; i < cfg->nnets; i++) {
		const struct config_net *c = &cfg->nets[i];
		struct tap_options o = { c->tap, c->bridge, c->queues, c->mac };
		char err[512];
		int ret = c->backend == CONFIG_NET_USER ? open_user(c, &nics->backends[i], err, sizeof(err))
							: tap_open(&o, &nics->backends[i], err, sizeof(err));

		if (ret < 0)
			die_status(EXIT_CAPSULE_USAGE, "[net %s] %s", c->name, err);
		nics->n = i + 1;
	}
}

void nics_stop_user(struct nics *nics, const struct config *cfg)
{
	for (unsigned i = 0; i < nics->n; i++)
		if (cfg->nets[i].backend == CONFIG_NET_USER && nics->backends[i]) {
			nics->backends[i]->ops->close(nics->backends[i]);
			nics->backends[i] = NULL;
		}
}

bool nics_add(struct nics *nics, struct virtio_bus *bus, struct event_loop *loop,
	      const struct config *cfg)
{
	pci_nics_init(&nics->pci, bus->vm);
	for (unsigned i = 0; i < nics->n; i++) {
		const struct config_net *c = &cfg->nets[i];
		struct virtio_net *net = &nics->devices[i];

		if (c->model != CONFIG_NET_VIRTIO) {
			pci_nics_add(&nics->pci, loop, c->model, nics->backends[i], c->mac, c->name);
			continue;
		}
		virtio_net_init(net, nics->backends[i], c->mac, loop);
		net->dev = virtio_bus_add(bus, &net->ops, net);
	}
	return pci_nics_attach(&nics->pci);
}

void nics_report(const struct nics *nics, const struct config *cfg)
{
	for (unsigned i = 0; i < nics->n; i++) {
		const struct virtio_net_stats *s = &nics->devices[i].stats;

		if (cfg->nets[i].model != CONFIG_NET_VIRTIO || (!s->tx_dropped && !s->rx_dropped))
			continue;
		log_error("[net %s] frames dropped: %llu sent by the guest (%s refused them), %llu "
			  "for it (its buffers were too small)", cfg->nets[i].name,
			  (unsigned long long)s->tx_dropped, nics->backends[i]->name,
			  (unsigned long long)s->rx_dropped);
	}
}

/* With a user-mode NIC, init is told passt's DNS address (capsule.dns=: an image's resolv.conf). */
static int dns_word(const struct config *cfg, char *buf, size_t size, bool space)
{
	int n;

	for (unsigned i = 0; i < cfg->nnets; i++)
		if (cfg->nets[i].backend == CONFIG_NET_USER) {
			n = snprintf(buf, size, "%scapsule.dns=%s", space ? " " : "",
				     CONFIG_USER_NET_DNS);
			return n < 0 || (size_t)n >= size ? -1 : 0;
		}
	return 0;
}

int nics_cmdline(const struct config *cfg, char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = '\0';
	for (unsigned i = 0; i < cfg->nnets; i++) {
		const struct config_net *c = &cfg->nets[i];
		const uint8_t *m = c->mac;
		int n = snprintf(buf + used, size - used,
				 "%scapsule.net=%02x:%02x:%02x:%02x:%02x:%02x%s%s%s%s", used ? " " : "",
				 m[0], m[1], m[2], m[3], m[4], m[5], c->ip[0] ? "," : "", c->ip,
				 c->gateway[0] ? "," : "", c->gateway);

		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	return dns_word(cfg, buf + used, size - used, used > 0);
}
