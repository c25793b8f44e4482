/* ethtool: the channel and offload calls the guest needs (-l, -L DEV combined N, -k); busybox has none. */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

/* One ethtool command (its struct starts with the cmd word) on DEV; 0 or -errno. */
static int eth_ioctl(int sock, const char *dev, void *cmd)
{
	struct ifreq ifr = { .ifr_data = cmd };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	return ioctl(sock, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

/* Four counts as ethtool prints them: "n/a" where the device has no such channel (maximum 0). */
static void print_counts(const struct ethtool_channels *ch, const uint32_t n[4])
{
	static const char *const label[4] = { "RX:\t\t", "TX:\t\t", "Other:\t\t", "Combined:\t" };
	const uint32_t max[4] = { ch->max_rx, ch->max_tx, ch->max_other, ch->max_combined };

	for (int i = 0; i < 4; i++)
		if (max[i])
			printf("%s%u\n", label[i], n[i]);
		else
			printf("%sn/a\n", label[i]);
}

static int show_channels(int sock, const char *dev)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int ret = eth_ioctl(sock, dev, &ch);

	if (ret < 0)
		return ret;
	printf("Channel parameters for %s:\nPre-set maximums:\n", dev);
	print_counts(&ch, (const uint32_t[4]){ ch.max_rx, ch.max_tx, ch.max_other, ch.max_combined });
	printf("Current hardware settings:\n");
	print_counts(&ch, (const uint32_t[4]){ ch.rx_count, ch.tx_count, ch.other_count,
						ch.combined_count });
	return 0;
}

/* Read the counts first: SCHANNELS sets all four, and only combined should change. */
static int set_combined(int sock, const char *dev, uint32_t n)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int ret = eth_ioctl(sock, dev, &ch);

	if (ret < 0)
		return ret;
	ch.cmd = ETHTOOL_SCHANNELS;
	ch.combined_count = n;
	return eth_ioctl(sock, dev, &ch);
}

/* How many features the kernel names (ETH_SS_FEATURES), or -errno. */
static int count_features(int sock, const char *dev)
{
	union {
		struct ethtool_sset_info info;
		char room[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} q = { .info = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ull << ETH_SS_FEATURES } };
	int ret = eth_ioctl(sock, dev, &q);

	if (ret < 0)
		return ret;
	/* The kernel clears the bit of a set it does not have. */
	if (!(q.info.sset_mask & 1ull << ETH_SS_FEATURES))
		return -EOPNOTSUPP;
	return (int)q.info.data[0];
}

static const char *on_off(const struct ethtool_gfeatures *f, int i)
{
	return f->features[i / 32].active & 1u << (i % 32) ? "on" : "off";
}

/* Like ethtool -k, in the kernel's order, with only its tso alias up front. */
static void print_features(const char *dev, const struct ethtool_gstrings *names,
			   const struct ethtool_gfeatures *f, int n)
{
	const char *name = (const char *)names->data;

	printf("Features for %s:\n", dev);
	for (int i = 0; i < n; i++)
		if (!strncmp(name + i * ETH_GSTRING_LEN, "tx-tcp-segmentation", ETH_GSTRING_LEN))
			printf("tcp-segmentation-offload: %s\n", on_off(f, i));
	for (int i = 0; i < n; i++)
		if (name[i * ETH_GSTRING_LEN])
			printf("%.*s: %s\n", ETH_GSTRING_LEN, name + i * ETH_GSTRING_LEN, on_off(f, i));
}

static int show_features(int sock, const char *dev)
{
	int n = count_features(sock, dev), blocks, ret = -ENOMEM;
	struct ethtool_gstrings *names;
	struct ethtool_gfeatures *f;

	if (n < 0)
		return n;
	blocks = (n + 31) / 32;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	f = calloc(1, sizeof(*f) + (size_t)blocks * sizeof(f->features[0]));
	if (!names || !f)
		goto out;
	*names = (struct ethtool_gstrings){ .cmd = ETHTOOL_GSTRINGS, .string_set = ETH_SS_FEATURES,
					    .len = (uint32_t)n };
	*f = (struct ethtool_gfeatures){ .cmd = ETHTOOL_GFEATURES, .size = (uint32_t)blocks };
	ret = eth_ioctl(sock, dev, names);
	if (ret == 0)
		ret = eth_ioctl(sock, dev, f);
	if (ret == 0)
		print_features(dev, names, f, n);
out:
	free(names);
	free(f);
	return ret;
}

/* A channel count: decimal digits only, within 32 bits. */
static int parse_count(const char *s, uint32_t *n)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > UINT32_MAX)
		return -1;
	*n = (uint32_t)v;
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: ethtool -l DEV | -L DEV combined N | -k DEV\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "", *dev = argc > 2 ? argv[2] : "";
	uint32_t n = 0;
	bool query = argc == 3 && (!strcmp(op, "-l") || !strcmp(op, "-k"));
	bool set = argc == 5 && !strcmp(op, "-L") && !strcmp(argv[3], "combined") && !parse_count(argv[4], &n);
	int sock, ret;

	if (!query && !set)
		return usage();
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		ret = -errno;
	else if (strlen(dev) >= IFNAMSIZ)
		ret = -ENODEV;
	else if (op[1] == 'l')
		ret = show_channels(sock, dev);
	else if (op[1] == 'L')
		ret = set_combined(sock, dev, n);
	else
		ret = show_features(sock, dev);
	if (ret < 0) {
		fprintf(stderr, "ethtool: %s: %s\n", dev, strerror(-ret));
		return 1;
	}
	return 0;
}
