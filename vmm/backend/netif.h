/* Host network interfaces by name: flags, MTU, MAC address, bridge membership (SIOC* ioctls, sysfs). */
#ifndef CAPSULE_NETIF_H
#define CAPSULE_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every call returns 0 (or the value asked for), or -errno. */

/* Whether interface NAME exists. */
bool netif_exists(const char *name);

/* Whether NAME exists and is a Linux bridge. */
bool netif_is_bridge(const char *name);

/* The bridge NAME is attached to, in MASTER (IFNAMSIZ bytes); "" when none. */
void netif_master(const char *name, char *master, size_t size);

int netif_get_flags(const char *name);
int netif_set_flags(const char *name, int flags);
int netif_get_mtu(const char *name);
int netif_set_mtu(const char *name, int mtu);
int netif_set_mac(const char *name, const uint8_t mac[6]);

/* Attach interface NAME to BRIDGE (SIOCBRADDIF); netif_restore() detaches it. */
int netif_bridge_add(const char *bridge, const char *name);

/* What to undo on an existing interface when capsule ends. */
struct netif_restore {
	char name[16];		/* IFNAMSIZ */
	int ifindex;
	char bridge[16];	/* take it off this bridge; "" when capsule attached it to none */
	int flags;		/* put these flags back; < 0: leave them */
};

/*
 * Fill R for NAME: BRIDGE ("" for none) and FLAGS (< 0 for none) as given,
 * the index looked up now, while names can still be resolved. 0 or -errno.
 */
int netif_restore_prepare(struct netif_restore *r, const char *name, const char *bridge, int flags);

/*
 * Undo R with ioctls on SOCK (an AF_INET datagram socket opened beforehand):
 * no socket, no lookup by name, nothing a sandboxed process may not do.
 * 0 or the first -errno.
 */
int netif_restore(int sock, const struct netif_restore *r);

#endif
