/* The tap backend: a host tap device (one fd per queue), optionally attached to a bridge. */
#ifndef CAPSULE_TAP_H
#define CAPSULE_TAP_H

#include <stddef.h>
#include <stdint.h>

#include "backend/net.h"
#include "backend/netif.h"

struct tap_options {
	const char *name;	/* an existing tap to use, or the one to create; "" lets the kernel name it */
	const char *bridge;	/* attach the tap to this bridge; "" for none */
	unsigned queues;	/* 1..NET_QUEUES_MAX: more than one makes a multi-queue tap */
	const uint8_t *guest_mac;	/* a created tap's own MAC is derived from it */
};

/*
 * Open (or create) the tap and set it up: vnet headers, link up, the bridge.
 * A tap capsule creates vanishes when capsule exits, however it exits (its
 * fds close); an existing one is put back as found at exit (down again,
 * detached from the bridge if capsule attached it). Returns 0 with *OUT set,
 * or -1 with ERR saying what is wrong in one line ("bridge 'br0' does not
 * exist") and nothing left behind. Start-up only.
 */
int tap_open(const struct tap_options *o, struct net_backend **out, char *err, size_t errlen);

/*
 * What must be undone on existing taps when capsule ends, at most MAX into
 * OUT; from now on capsule itself undoes nothing at exit: the process OUT
 * goes to does (vmm/sandbox/cleanup.h), since a sandboxed capsule cannot.
 * Returns how many.
 */
unsigned tap_hand_over_restores(struct netif_restore *out, unsigned max);

#endif
