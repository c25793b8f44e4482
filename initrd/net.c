/* Brings up lo and the NICs the monitor names (capsule.net=), by ioctl: a busybox exec costs too much. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define NIC_WAIT_MS 5000	/* the drivers are built in: a NIC is normally there at once */
#define NIC_POLL_MS 10
#define MAC_LEN 17		/* "52:54:00:12:34:56" */

/* One capsule.net= word: MAC[,ADDR/PREFIX[,GATEWAY]]. */
struct net_conf {
	char mac[MAC_LEN + 1];	/* as sysfs shows it: lowercase, with colons */
	bool has_addr, has_gw;
	struct in_addr addr, mask, gw;
};

/* Six hex pairs with colons; kept lowercase to compare with sysfs. */
static bool parse_mac(const char *s, char *mac)
{
	static const char hex[] = "0123456789abcdef";

	if (strlen(s) != MAC_LEN)
		return false;
	for (int i = 0; i < MAC_LEN; i++) {
		char c = s[i] >= 'A' && s[i] <= 'F' ? (char)(s[i] - 'A' + 'a') : s[i];

		if (i % 3 == 2 ? c != ':' : !strchr(hex, c))
			return false;
		mac[i] = c;
	}
	mac[MAC_LEN] = '\0';
	return true;
}

/* "198.18.0.2/24": the address, and the netmask its prefix length makes. */
static bool parse_cidr(const char *s, struct in_addr *addr, struct in_addr *mask)
{
	const char *slash = strchr(s, '/');
	char ip[INET_ADDRSTRLEN], *end;
	unsigned long prefix;

	if (!slash || (size_t)(slash - s) >= sizeof(ip) || slash[1] < '0' || slash[1] > '9')
		return false;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	prefix = strtoul(slash + 1, &end, 10);
	if (*end || prefix > 32 || inet_pton(AF_INET, ip, addr) != 1)
		return false;
	mask->s_addr = htonl(prefix ? 0xffffffffu << (32 - prefix) : 0);
	return true;
}

/* Split WORD at its commas into C; false when it is not MAC[,ADDR/PREFIX[,GATEWAY]]. */
static bool parse_word(const char *word, struct net_conf *c)
{
	char buf[64], *field[3];
	int n = 1;

	memset(c, 0, sizeof(*c));
	if (strlen(word) >= sizeof(buf))
		return false;
	strcpy(buf, word);
	field[0] = buf;
	for (char *p = strchr(buf, ','); p; p = strchr(p, ',')) {
		if (n == 3)
			return false;
		*p++ = '\0';
		field[n++] = p;
	}
	if (!parse_mac(field[0], c->mac))
		return false;
	if (n > 1 && !(c->has_addr = parse_cidr(field[1], &c->addr, &c->mask)))
		return false;
	if (n > 2 && !(c->has_gw = inet_pton(AF_INET, field[2], &c->gw) == 1))
		return false;
	return true;
}

/* The interface whose sysfs address is MAC, if the kernel shows it yet. */
static bool find_nic(const char *mac, char name[IFNAMSIZ])
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char path[300], got[32] = "";
		FILE *f;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= IFNAMSIZ)
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/address", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(got, sizeof(got), f) && !strncmp(got, mac, MAC_LEN) &&
		    (got[MAC_LEN] == '\n' || got[MAC_LEN] == '\0')) {
			strcpy(name, e->d_name);
			found = true;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* *WAITED_MS is shared by all the words: missing NICs cost 5 s in all, not 5 s each. */
static bool wait_for_nic(const char *mac, char name[IFNAMSIZ], unsigned *waited_ms)
{
	struct timespec ts = { 0, NIC_POLL_MS * 1000000L };

	for (;; *waited_ms += NIC_POLL_MS) {
		if (find_nic(mac, name))
			return true;
		if (*waited_ms >= NIC_WAIT_MS)
			return false;
		nanosleep(&ts, NULL);
	}
}

/* One ioctl on interface NAME; on failure a line naming the interface and STEP. */
static int nic_ioctl(int sock, const char *name, unsigned long req, struct ifreq *ifr,
		     const char *step)
{
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	if (ioctl(sock, req, ifr) == 0)
		return 0;
	fprintf(stderr, "init: %s: %s: %s\n", name, step, strerror(errno));
	return -1;
}

static void set_inet(struct sockaddr *sa, struct in_addr a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = a };

	memcpy(sa, &sin, sizeof(sin));
}

static int set_addr(int sock, const char *name, struct in_addr addr, struct in_addr mask)
{
	struct ifreq ifr = { 0 };

	/* The address first: it comes with a classful mask, which the netmask then replaces. */
	set_inet(&ifr.ifr_addr, addr);
	if (nic_ioctl(sock, name, SIOCSIFADDR, &ifr, "set address") < 0)
		return -1;
	set_inet(&ifr.ifr_netmask, mask);
	return nic_ioctl(sock, name, SIOCSIFNETMASK, &ifr, "set netmask");
}

static int bring_up(int sock, const char *name)
{
	struct ifreq ifr = { 0 };

	if (nic_ioctl(sock, name, SIOCGIFFLAGS, &ifr, "get flags") < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	return nic_ioctl(sock, name, SIOCSIFFLAGS, &ifr, "bring up");
}

static void add_default_route(int sock, const char *name, struct in_addr gw)
{
	/* The kernel reads IFNAMSIZ - 1 bytes from rt_dev whatever the name's length. */
	char dev[IFNAMSIZ];
	struct rtentry rt = { .rt_flags = RTF_UP | RTF_GATEWAY, .rt_dev = dev };

	snprintf(dev, sizeof(dev), "%s", name);
	set_inet(&rt.rt_dst, (struct in_addr){ INADDR_ANY });
	set_inet(&rt.rt_genmask, (struct in_addr){ INADDR_ANY });
	set_inet(&rt.rt_gateway, gw);
	if (ioctl(sock, SIOCADDRT, &rt) < 0)
		fprintf(stderr, "init: %s: add default route: %s\n", name, strerror(errno));
}

/* Address, then up (which adds the subnet's route), then the gateway reachable through it. */
static void configure(int sock, const char *name, const struct net_conf *c)
{
	bool addr_ok = !c->has_addr || set_addr(sock, name, c->addr, c->mask) == 0;

	if (bring_up(sock, name) == 0 && addr_ok && c->has_gw)
		add_default_route(sock, name, c->gw);
}

static void setup_word(int sock, const char *word, unsigned *waited_ms)
{
	struct net_conf c;
	char name[IFNAMSIZ];

	if (!parse_word(word, &c)) {
		fprintf(stderr, "init: bad capsule.net=%s\n", word);
		return;
	}
	if (!wait_for_nic(c.mac, name, waited_ms)) {
		fprintf(stderr, "init: no network interface with MAC %s\n", c.mac);
		return;
	}
	configure(sock, name, &c);
}

void init_net_setup(const struct init_request *req)
{
	struct net_conf lo = {
		.has_addr = true,
		.addr = { htonl(INADDR_LOOPBACK) },
		.mask = { htonl(0xff000000u) },
	};
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned waited_ms = 0;

	if (sock < 0) {
		fprintf(stderr, "init: network socket: %s\n", strerror(errno));
		return;
	}
	configure(sock, "lo", &lo);
	for (int i = 0; i < req->nnet; i++)
		setup_word(sock, req->net[i], &waited_ms);
	close(sock);
}
