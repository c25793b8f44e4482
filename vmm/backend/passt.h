/* The user-mode network backend: Debian's passt as capsule's child, frames over a socket pair. */
#ifndef CAPSULE_PASST_H
#define CAPSULE_PASST_H

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/net.h"

/* A port of the host's 127.0.0.1 forwarded to the guest's. */
struct passt_forward {
	uint16_t host, guest;
	bool udp;
};

#define PASST_FORWARDS_MAX 16

struct passt_options {
	const char *path;		/* the passt binary (passt_find) */
	const uint8_t *guest_mac;
	struct in_addr addr;		/* the guest's address, */
	unsigned prefix;		/* ... its prefix length */
	struct in_addr gateway;		/* the host's face to the guest: its 127.0.0.1 behind it */
	struct in_addr dns;		/* forwarded to the host's first nameserver */
	const struct passt_forward *forwards;
	unsigned nforwards;		/* at most PASST_FORWARDS_MAX */
};

/* Where passt is on PATH, into PATH_OUT (PATH_MAX bytes). 0, or -1: it is not installed. */
int passt_find(char *path_out);

/*
 * Start passt (it exits when its end of the socket closes: when capsule
 * ends, however it ends) and wait until it answers an ARP request for the
 * gateway: a passt that cannot start (a forwarded port taken) says why on
 * stderr and exits. One queue, no offloads. Returns 0 with *OUT set, or -1
 * with ERR saying what is wrong in one line. Start-up only: it forks.
 * be->ops->close() stops and reaps it.
 */
int passt_open(const struct passt_options *o, struct net_backend **out, char *err, size_t errlen);

/*
 * Build passt's argument vector into ARGV (room for PASST_ARGV_MAX, NULL
 * last) with its strings in BUF (PASST_ARGBUF bytes): FD is passt's end of
 * the socket, AS_ROOT adds --runas nobody. For tests and messages.
 */
#define PASST_ARGV_MAX (32 + 2 * PASST_FORWARDS_MAX)
#define PASST_ARGBUF 2048
void passt_argv(const struct passt_options *o, int fd, bool as_root, char **argv, char *buf);

#endif
