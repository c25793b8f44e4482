/* Host network interfaces by name: flags, MTU, MAC address, bridge membership (SIOC* ioctls, sysfs). */
#include "backend/netif.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/sockios.h>

/* One ioctl about interface NAME on SOCK. */
static int sock_ioctl(int sock, unsigned long req, const char *name, struct ifreq *ifr)
{
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
	return ioctl(sock, req, ifr) < 0 ? -errno : 0;
}

/* One ioctl on a throwaway socket: these calls are start-up only. */
static int if_ioctl(unsigned long req, const char *name, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0)
		return -errno;
	ret = sock_ioctl(fd, req, name, ifr);
	close(fd);
	return ret;
}

bool netif_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

bool netif_is_bridge(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void netif_master(const char *name, char *master, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		snprintf(master, size, "%s", "");
		return;
	}
	target[n] = '\0';
	snprintf(master, size, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

int netif_get_flags(const char *name)
{
	struct ifreq ifr = { 0 };
	int ret = if_ioctl(SIOCGIFFLAGS, name, &ifr);

	return ret < 0 ? ret : (ifr.ifr_flags & 0xffff);
}

int netif_set_flags(const char *name, int flags)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_flags = (short)flags;
	return if_ioctl(SIOCSIFFLAGS, name, &ifr);
}

int netif_get_mtu(const char *name)
{
	struct ifreq ifr = { 0 };
	int ret = if_ioctl(SIOCGIFMTU, name, &ifr);

	return ret < 0 ? ret : ifr.ifr_mtu;
}

int netif_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_mtu = mtu;
	return if_ioctl(SIOCSIFMTU, name, &ifr);
}

int netif_set_mac(const char *name, const uint8_t mac[6])
{
	struct ifreq ifr = { 0 };

	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	return if_ioctl(SIOCSIFHWADDR, name, &ifr);
}

static int bridge_ioctl(unsigned long req, const char *bridge, const char *name)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_ifindex = (int)if_nametoindex(name);
	if (!ifr.ifr_ifindex)
		return -ENODEV;
	return if_ioctl(req, bridge, &ifr);
}

int netif_bridge_add(const char *bridge, const char *name)
{
	return bridge_ioctl(SIOCBRADDIF, bridge, name);
}

int netif_restore_prepare(struct netif_restore *r, const char *name, const char *bridge, int flags)
{
	_Static_assert(sizeof(r->name) == IFNAMSIZ, "IFNAMSIZ");
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->bridge, sizeof(r->bridge), "%s", bridge);
	r->flags = flags;
	r->ifindex = (int)if_nametoindex(name);
	return r->ifindex ? 0 : -ENODEV;
}

int netif_restore(int sock, const struct netif_restore *r)
{
	struct ifreq ifr = { 0 };
	int ret = 0, e;

	if (r->bridge[0]) {
		ifr.ifr_ifindex = r->ifindex;
		ret = sock_ioctl(sock, SIOCBRDELIF, r->bridge, &ifr);
	}
	if (r->flags >= 0) {
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_flags = (short)r->flags;
		e = sock_ioctl(sock, SIOCSIFFLAGS, r->name, &ifr);
		ret = ret ? ret : e;
	}
	return ret;
}
