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

/* Attach interface NAME to BRIDGE, or detach it (SIOCBRADDIF, SIOCBRDELIF). */
int netif_bridge_add(const char *bridge, const char *name);
int netif_bridge_del(const char *bridge, const char *name);

#endif
