/* The tap backend: a host tap device (one fd per queue), optionally attached to a bridge. */
#include "backend/tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "backend/netif.h"
#include "log.h"

#define TUN_PATH "/dev/net/tun"

struct tap {
	struct net_backend be;
	char ifname[IFNAMSIZ];
	char bridge[IFNAMSIZ];		/* the bridge capsule attached the tap to; "" when none */
	bool created;			/* capsule made the tap: it goes when the fds close */
	int orig_flags;			/* an existing tap's flags as found */
	bool attached[NET_QUEUES_MAX];	/* multi-queue: the queue takes frames */
};

/*
 * Existing taps to put back at exit; created ones need nothing (their fds
 * close). Until tap_hand_over_restores(), at exit by this process.
 */
#define RESTORE_MAX 16
static struct tap *restore_list[RESTORE_MAX];
static unsigned n_restore;
static bool restore_registered, handed_over;

static int send_frame(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n)
{
	return writev(be->fds[queue], iov, (int)n) < 0 ? -errno : 0;
}

static ssize_t recv_frame(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n)
{
	ssize_t ret = readv(be->fds[queue], iov, (int)n);

	return ret < 0 ? -errno : ret;
}

static unsigned tun_offload_flags(unsigned offloads)
{
	unsigned f = 0;

	if (offloads & NET_OFFLOAD_CSUM)
		f |= TUN_F_CSUM;
	if (offloads & NET_OFFLOAD_TSO4)
		f |= TUN_F_TSO4;
	if (offloads & NET_OFFLOAD_TSO6)
		f |= TUN_F_TSO6;
	if (offloads & NET_OFFLOAD_TSO_ECN)
		f |= TUN_F_TSO_ECN;
	if (offloads & NET_OFFLOAD_UFO)
		f |= TUN_F_UFO;
	return f;
}

static int set_rx_offloads(struct net_backend *be, unsigned offloads)
{
	/* Per device, not per queue: any queue's fd sets it. */
	return ioctl(be->fds[0], TUNSETOFFLOAD, tun_offload_flags(offloads)) < 0 ? -errno : 0;
}

/* A multi-queue tap spreads frames over its attached queues: detach the ones the guest left. */
static int set_queues(struct net_backend *be, unsigned n)
{
	struct tap *t = (struct tap *)be;

	if (n < 1 || n > be->queues)
		return -EINVAL;
	for (unsigned q = 0; q < be->queues && be->queues > 1; q++) {
		struct ifreq ifr = { .ifr_flags = q < n ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE };

		if (t->attached[q] == (q < n))
			continue;
		if (ioctl(be->fds[q], TUNSETQUEUE, &ifr) < 0)
			return -errno;
		t->attached[q] = q < n;
	}
	return 0;
}

/* What putting T back as found takes: off the bridge capsule put it on, down if it was. */
static bool restore_of(const struct tap *t, struct netif_restore *r)
{
	int flags = !t->created && t->orig_flags >= 0 && !(t->orig_flags & IFF_UP) ? t->orig_flags
										  : -1;

	if (!t->bridge[0] && flags < 0)
		return false;
	return netif_restore_prepare(r, t->ifname, t->bridge, flags) == 0;
}

/* Put T back as found, now. */
static void restore(struct tap *t)
{
	struct netif_restore r;
	int sock;

	if (restore_of(t, &r) && (sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0) {
		netif_restore(sock, &r);
		close(sock);
	}
	t->bridge[0] = '\0';
	t->orig_flags = -1;
}

static void restore_all(void)
{
	for (unsigned i = 0; i < n_restore && !handed_over; i++)
		restore(restore_list[i]);
}

unsigned tap_hand_over_restores(struct netif_restore *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_restore && n < max; i++)
		if (restore_of(restore_list[i], &out[n]))
			n++;
	handed_over = true;
	return n;
}

static void close_tap(struct net_backend *be)
{
	struct tap *t = (struct tap *)be;

	restore(t);
	for (unsigned q = 0; q < be->queues; q++)
		if (be->fds[q] >= 0)
			close(be->fds[q]);
	for (unsigned i = 0; i < n_restore; i++)
		if (restore_list[i] == t)
			restore_list[i] = restore_list[--n_restore];
	free(t);
}

static const struct net_backend_ops tap_ops = {
	.send = send_frame,
	.recv = recv_frame,
	.set_rx_offloads = set_rx_offloads,
	.set_queues = set_queues,
	.close = close_tap,
};

/* Whether some process holds a queue of tap NAME: its fdinfo says "iff: NAME". */
static bool held_elsewhere(const char *name)
{
	char want[IFNAMSIZ + 8], path[600], line[128];
	DIR *proc = opendir("/proc");
	struct dirent *p;
	bool found = false;

	snprintf(want, sizeof(want), "iff:\t%s\n", name);
	while (proc && !found && (p = readdir(proc))) {
		DIR *fds;
		struct dirent *f;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo", p->d_name);
		fds = opendir(path);
		while (fds && !found && (f = readdir(fds))) {
			FILE *info;

			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", p->d_name, f->d_name);
			info = fopen(path, "re");
			while (info && !found && fgets(line, sizeof(line), info))
				found = !strcmp(line, want);
			if (info)
				fclose(info);
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return found;
}

/* Why TUNSETIFF refused, in words. */
static void attach_error(const struct tap *t, const char *name, int err, char *msg, size_t n)
{
	if (err == EPERM && !t->created)
		snprintf(msg, n, "no permission to use tap '%s' (needs CAP_NET_ADMIN or to be its owner)",
			 name);
	else if (err == EPERM)
		snprintf(msg, n, "creating a tap device needs CAP_NET_ADMIN");
	else if (err == EBUSY)
		snprintf(msg, n, "tap '%s' is in use by another process", name);
	else if (err == EINVAL && !t->created)
		snprintf(msg, n, "'%s' is not a tap device, or its multi_queue setting does not match "
			 "queues = %u", name, t->be.queues);
	else
		snprintf(msg, n, "tap '%s': %s", name, strerror(err));
}

/* Open one queue of the tap: the first names (or creates) it, the others join it. */
static int open_queue(struct tap *t, unsigned q, const char *name, char *err, size_t n)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr_len = NET_HDR_LEN;
	int fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, n, "%s: %s%s", TUN_PATH, strerror(errno),
			 errno == ENOENT ? " (no tun driver, or /dev/net not populated)" : "");
		return -1;
	}
	t->be.fds[q] = fd;
	if (t->be.queues > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", q ? t->ifname : *name ? name : "capsule%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		attach_error(t, *name ? name : "capsule%d", errno, err, n);
		return -1;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	t->attached[q] = true;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		snprintf(err, n, "tap '%s': setting the vnet header size: %s", t->ifname, strerror(errno));
		return -1;
	}
	return 0;
}

/* What the tap can do with offload headers: everything, or without UFO (newer kernels), or none. */
static unsigned probe_offloads(struct tap *t)
{
	static const unsigned tries[] = {
		NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO6 | NET_OFFLOAD_TSO_ECN |
			NET_OFFLOAD_UFO,
		NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4 | NET_OFFLOAD_TSO6 | NET_OFFLOAD_TSO_ECN,
	};

	for (unsigned i = 0; i < 2; i++)
		if (set_rx_offloads(&t->be, tries[i]) == 0)
			return tries[i];
	return 0;
}

/* A created tap: its own MAC (0xFE first, never the bridge's address) and the bridge's MTU. */
static int shape_created(struct tap *t, const struct tap_options *o, char *err, size_t n)
{
	uint8_t mac[6] = { 0xfe };
	int ret, mtu;

	memcpy(mac + 1, o->guest_mac + 1, 5);
	ret = netif_set_mac(t->ifname, mac);
	if (!ret && *o->bridge) {
		mtu = netif_get_mtu(o->bridge);
		ret = mtu < 0 ? mtu : netif_set_mtu(t->ifname, mtu);
	}
	if (ret < 0)
		snprintf(err, n, "configuring tap '%s': %s", t->ifname, strerror(-ret));
	return ret;
}

/* Link up, onto the bridge. */
static int bring_up(struct tap *t, const struct tap_options *o, char *err, size_t n)
{
	char master[IFNAMSIZ];
	int flags = netif_get_flags(t->ifname);
	int ret = flags;

	if (flags >= 0 && !t->created)
		t->orig_flags = flags;
	if (flags >= 0 && !(flags & IFF_UP))
		ret = netif_set_flags(t->ifname, flags | IFF_UP);
	if (ret < 0) {
		snprintf(err, n, "bringing tap '%s' up: %s%s", t->ifname, strerror(-ret),
			 ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return -1;
	}
	netif_master(t->ifname, master, sizeof(master));
	if (!*o->bridge || !strcmp(master, o->bridge))
		return 0;
	ret = netif_bridge_add(o->bridge, t->ifname);
	if (ret < 0) {
		snprintf(err, n, "attaching tap '%s' to bridge '%s': %s%s", t->ifname, o->bridge,
			 strerror(-ret), ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return -1;
	}
	snprintf(t->bridge, sizeof(t->bridge), "%s", o->bridge);
	return 0;
}

/* Everything that can be checked before touching the host. */
static int precheck(const struct tap_options *o, bool existed, char *err, size_t n)
{
	if (*o->bridge && !netif_exists(o->bridge)) {
		snprintf(err, n, "bridge '%s' does not exist", o->bridge);
		return -1;
	}
	if (*o->bridge && !netif_is_bridge(o->bridge)) {
		snprintf(err, n, "'%s' is not a bridge", o->bridge);
		return -1;
	}
	/* A multi-queue tap takes more queues from anyone: look for another holder. */
	if (existed && o->queues > 1 && held_elsewhere(o->name)) {
		snprintf(err, n, "tap '%s' is in use by another process", o->name);
		return -1;
	}
	return 0;
}

static int setup(struct tap *t, const struct tap_options *o, char *err, size_t n)
{
	for (unsigned q = 0; q < o->queues; q++)
		if (open_queue(t, q, o->name, err, n) < 0)
			return -1;
	snprintf(t->be.name, sizeof(t->be.name), "tap %s", t->ifname);
	t->be.offloads = probe_offloads(t);
	/* No offloaded frames until the guest's driver says it takes them. */
	set_rx_offloads(&t->be, 0);
	if (t->created && shape_created(t, o, err, n) < 0)
		return -1;
	if (bring_up(t, o, err, n) < 0)
		return -1;
	t->be.mtu = (unsigned)netif_get_mtu(t->ifname);
	return 0;
}

int tap_open(const struct tap_options *o, struct net_backend **out, char *err, size_t errlen)
{
	bool existed = *o->name && netif_exists(o->name);
	struct tap *t;

	if (o->queues < 1 || o->queues > NET_QUEUES_MAX) {
		snprintf(err, errlen, "%u queues: a tap takes 1 to %d", o->queues, NET_QUEUES_MAX);
		return -1;
	}
	if (precheck(o, existed, err, errlen) < 0)
		return -1;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->be.ops = &tap_ops;
	t->be.queues = o->queues;
	t->created = !existed;
	t->orig_flags = -1;
	for (unsigned q = 0; q < NET_QUEUES_MAX; q++)
		t->be.fds[q] = -1;
	if (!t->created && n_restore < RESTORE_MAX) {
		if (!restore_registered)
			log_at_exit(restore_all);
		restore_registered = true;
		restore_list[n_restore++] = t;
	}
	if (setup(t, o, err, errlen) < 0) {
		close_tap(&t->be);
		return -1;
	}
	*out = &t->be;
	return 0;
}
