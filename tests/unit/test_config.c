/* Unit tests of the config parser: values, defaults, and FILE:LINE errors. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"

static char err[1024];

static int parse(struct config *cfg, const char *text)
{
	err[0] = '\0';
	return config_parse_text(cfg, "test.conf", text, "/tmp", err, sizeof(err));
}

static void sizes(void)
{
	uint64_t v;

	CHECK(config_parse_size("256M", &v) == 0 && v == 256ull << 20);
	CHECK(config_parse_size("1G", &v) == 0 && v == 1ull << 30);
	CHECK(config_parse_size("2g", &v) == 0 && v == 2ull << 30);
	CHECK(config_parse_size("512MiB", &v) == 0 && v == 512ull << 20);
	CHECK(config_parse_size("4096", &v) == 0 && v == 4096);
	CHECK(config_parse_size("64K", &v) == 0 && v == 65536);
	CHECK(config_parse_size("", &v) < 0);
	CHECK(config_parse_size("M", &v) < 0);
	CHECK(config_parse_size("-1M", &v) < 0);
	CHECK(config_parse_size("12X", &v) < 0);
	CHECK(config_parse_size("1MM", &v) < 0);
	CHECK(config_parse_size("99999999999999999999", &v) < 0);
	CHECK(config_parse_size("17179869184G", &v) < 0);	/* overflows 64 bits */
}

static void good_file(void)
{
	struct config cfg = { 0 };

	CHECK(parse(&cfg, "# comment\n; another\n[vm]\n  memory = 512M  # inline\nvcpus=4\n\n"
			  "[kernel]\ncmdline_append = foo=bar baz\n") == 0);
	CHECK(cfg.memory == 512ull << 20);
	CHECK(cfg.vcpus == 4);
	CHECK_STR(cfg.cmdline_append, "foo=bar baz");
	CHECK_STR(cfg.kernel_path, "");
}

static void later_file_overrides(void)
{
	struct config cfg = { 0 };

	CHECK(parse(&cfg, "[vm]\nmemory = 256M\nvcpus = 1\n") == 0);
	CHECK(parse(&cfg, "[vm]\nvcpus = 2\n") == 0);
	CHECK(cfg.memory == 256ull << 20 && cfg.vcpus == 2);
}

static void errors_name_file_and_line(void)
{
	struct config cfg = { 0 };

	CHECK(parse(&cfg, "[vm]\nmemory = lots\n") < 0);
	CHECK(strstr(err, "test.conf:2: memory: 'lots' is not a size") == err);
	CHECK(parse(&cfg, "\n[vm]\nvcpus = 0\n") < 0);
	CHECK(strstr(err, "test.conf:3: vcpus:") == err);
	CHECK(parse(&cfg, "[vm]\nvcpus = 33\n") < 0);
	CHECK(parse(&cfg, "[vm]\nvcpus = 2x\n") < 0);
	CHECK(parse(&cfg, "[vm]\nmemory = 1M\n") < 0);
	CHECK(strstr(err, "out of range") != NULL);
	CHECK(parse(&cfg, "[vm]\nmemory = 1025K\n") < 0);	/* not page aligned */
	CHECK(parse(&cfg, "[disco]\n") < 0);
	CHECK_STR(err, "test.conf:1: unknown section [disco]");
	CHECK(parse(&cfg, "[vm]\nmemroy = 1G\n") < 0);
	CHECK_STR(err, "test.conf:2: unknown key 'memroy' in [vm]");
	CHECK(parse(&cfg, "memory = 1G\n") < 0);
	CHECK_STR(err, "test.conf:1: key 'memory' outside any section");
	CHECK(parse(&cfg, "[vm]\nmemory\n") < 0);
	CHECK(strstr(err, "test.conf:2: expected 'key = value'") == err);
	CHECK(parse(&cfg, "[vm\n") < 0);
	CHECK(strstr(err, "test.conf:1: malformed section header") == err);
	CHECK(parse(&cfg, "[vm]\nvcpus = 1\nvcpus = 2\n") < 0);
	CHECK_STR(err, "test.conf:3: key 'vcpus' set twice in [vm]");
	CHECK(parse(&cfg, "[vm]\n[kernel]\n[vm]\n") < 0);
	CHECK_STR(err, "test.conf:3: section [vm] appears twice");
}

static void kernel_files(void)
{
	struct config cfg = { 0 };
	char path[] = "/tmp/capsule-test-kernel-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK(parse(&cfg, "[kernel]\npath = /nonexistent/bzImage\n") < 0);
	CHECK(strstr(err, "test.conf:2: path: '/nonexistent/bzImage': No such file or directory") == err);
	CHECK(parse(&cfg, "[kernel]\ninitrd = /tmp\n") < 0);
	CHECK(strstr(err, "is not a regular file") != NULL);
	/* Relative paths are taken from the config file's directory (here /tmp). */
	CHECK(parse(&cfg, "[kernel]\npath = " "capsule-test-kernel-" "\n") < 0);
	{
		char text[256];

		snprintf(text, sizeof(text), "[kernel]\npath = %s\n", path + 5);
		CHECK(parse(&cfg, text) == 0);
		CHECK_STR(cfg.kernel_path, path);
	}
	unlink(path);
}

static void load_file_errors(void)
{
	struct config cfg = { 0 };
	char path[] = "/tmp/capsule-test-conf-XXXXXX";
	int fd = mkstemp(path);

	CHECK(config_load_file(&cfg, "/nonexistent.conf", err, sizeof(err)) < 0);
	CHECK_STR(err, "/nonexistent.conf: No such file or directory");
	CHECK(write(fd, "[vm]\nvcpus = 3\n[nosuch x]\n", 26) == 26);
	close(fd);
	CHECK(config_load_file(&cfg, path, err, sizeof(err)) < 0);
	CHECK(strstr(err, ":3: unknown section [nosuch]") != NULL);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	unlink(path);
}

static void long_values(void)
{
	struct config cfg = { 0 };
	char text[2048] = "[kernel]\ncmdline_append = ";

	memset(text + strlen(text), 'a', 1100);
	CHECK(parse(&cfg, text) < 0);
	CHECK(strstr(err, "longer than") != NULL);
}

static void disks(void)
{
	struct config cfg = { 0 };
	char path[] = "/tmp/capsule-test-disk-XXXXXX";
	char text[1024];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text),
		 "[disk root]\npath = %s\nreadonly = yes\nserial = ROOT-1\n\n"
		 "[disk scratch]\npath = %s\nsnapshot = true\nformat = qcow2\n", path, path + 5);
	CHECK(parse(&cfg, text) == 0);
	CHECK(cfg.ndisks == 2);
	CHECK_STR(cfg.disks[0].name, "root");
	CHECK_STR(cfg.disks[0].path, path);
	CHECK(cfg.disks[0].readonly && !cfg.disks[0].snapshot);
	CHECK_STR(cfg.disks[0].serial, "ROOT-1");
	CHECK(cfg.disks[0].format == CONFIG_FORMAT_AUTO);
	CHECK_STR(cfg.disks[1].path, path);	/* relative to the config's directory */
	CHECK(cfg.disks[1].snapshot && cfg.disks[1].format == CONFIG_FORMAT_QCOW2);

	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[vm]\nvcpus = 1\n[disk a]\nreadonly = true\n[vm]\n") < 0);
	CHECK_STR(err, "test.conf:3: [disk a] has no path");
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[disk]\n") < 0);
	CHECK_STR(err, "test.conf:1: section [disk] needs a name: [disk NAME]");
	CHECK(parse(&cfg, "[vm x]\n") < 0);
	CHECK_STR(err, "test.conf:1: section [vm] takes no name");
	CHECK(parse(&cfg, "[disk a/b]\n") < 0);
	CHECK(strstr(err, "bad name 'a/b'") != NULL);
	snprintf(text, sizeof(text), "[disk a]\npath = %s\n[disk a]\npath = %s\n", path, path);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, text) < 0);
	CHECK_STR(err, "test.conf:3: a disk named 'a' is already defined");
	snprintf(text, sizeof(text), "[disk a]\npath = %s\nreadonly = maybe\n", path);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, text) < 0);
	CHECK_STR(err, "test.conf:3: readonly: 'maybe' is not true or false");
	snprintf(text, sizeof(text), "[disk a]\npath = %s\nformat = vmdk\n", path);
	CHECK(parse(&cfg, text) < 0);
	snprintf(text, sizeof(text), "[disk b]\npath = %s\nserial = 123456789012345678901\n", path);
	CHECK(parse(&cfg, text) < 0);
	CHECK(strstr(err, "longer than 20") != NULL);
	snprintf(text, sizeof(text), "[disk c]\npath = %s\nreadonly = 1\nsnapshot = 1\n", path);
	CHECK(parse(&cfg, text) < 0);
	CHECK(strstr(err, "exclude each other") != NULL);
	unlink(path);
}

/* [vm] root and persist, or --image: the root image is the last disk, overlaid unless it persists. */
static void root_image(void)
{
	struct config cfg = { 0 };
	char path[] = "/tmp/capsule-test-root-XXXXXX";
	char text[512];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK(config_add_root_disk(&cfg, NULL, false, err, sizeof(err)) == -2);
	snprintf(text, sizeof(text), "[disk root]\npath = %s\n[vm]\nroot = %s\npersist = true\n", path,
		 path + 5);
	CHECK(parse(&cfg, text) == 0);
	CHECK(config_add_root_disk(&cfg, NULL, false, err, sizeof(err)) == 1);
	CHECK_STR(cfg.disks[1].path, path);	/* relative to the config's directory */
	CHECK(!cfg.disks[1].snapshot);		/* persist */
	CHECK_STR(cfg.disks[0].name, "root");	/* a [disk root] of the user's is no conflict */

	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, text) == 0);
	CHECK(config_add_root_disk(&cfg, path, false, err, sizeof(err)) == 1);	/* --image wins */
	CHECK(cfg.disks[1].snapshot);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(config_add_root_disk(&cfg, "/nonexistent/img", false, err, sizeof(err)) == -1);
	CHECK_STR(err, "--image: '/nonexistent/img': No such file or directory");
	CHECK(cfg.ndisks == 0);
	CHECK(parse(&cfg, "[vm]\npersist = true\n") == 0);
	CHECK(config_add_root_disk(&cfg, NULL, false, err, sizeof(err)) == -1);
	CHECK(strstr(err, "[vm] persist: there is no root image") == err);
	CHECK(parse(&cfg, "[vm]\nroot = /nonexistent/img\n") < 0);
	CHECK_STR(err, "test.conf:2: root: '/nonexistent/img': No such file or directory");
	unlink(path);
}

/* backing_dirs: existing directories, relative to the config's, four at most. */
static void backing_dirs(void)
{
	struct config cfg = { 0 };

	CHECK(parse(&cfg, "[disk a]\npath = /etc/hostname\nbacking_dirs = /usr:lib:/etc\n") < 0);
	CHECK_STR(err, "test.conf:3: backing_dirs: '/tmp/lib': No such file or directory");
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[disk a]\npath = /etc/hostname\nbacking_dirs = /usr:.:/etc\n") == 0);
	CHECK(cfg.disks[0].nbacking_dirs == 3);
	CHECK_STR(cfg.disks[0].backing_dirs[1], "/tmp/.");
	CHECK(parse(&cfg, "[disk b]\npath = /etc/hostname\nbacking_dirs = /etc/hostname\n") < 0);
	CHECK_STR(err, "test.conf:3: backing_dirs: '/etc/hostname' is not a directory");
	CHECK(parse(&cfg, "[disk c]\npath = /etc/hostname\nbacking_dirs = /:/:/:/:/\n") < 0);
	CHECK_STR(err, "test.conf:3: backing_dirs: more than 4 directories");
	CHECK(parse(&cfg, "[disk e]\npath = /etc/hostname\nbacking_dirs = /usr::/etc\n") < 0);
	CHECK(strstr(err, "empty path") != NULL);
}

static void nets(void)
{
	struct config cfg = { 0 };
	uint8_t first[6];

	CHECK(parse(&cfg, "[net lan]\nbridge = br0\nip = 198.18.0.2/24\ngateway = 198.18.0.1\n"
			  "queues = 2\n[net wan]\ntap = tap7\nmac = 52:54:00:AB:cd:01\n") == 0);
	CHECK(cfg.nnets == 2);
	CHECK_STR(cfg.nets[0].name, "lan");
	CHECK(cfg.nets[0].model == CONFIG_NET_VIRTIO && cfg.nets[0].queues == 2);
	CHECK_STR(cfg.nets[0].bridge, "br0");
	CHECK_STR(cfg.nets[0].tap, "");
	CHECK_STR(cfg.nets[0].ip, "198.18.0.2/24");
	CHECK_STR(cfg.nets[0].gateway, "198.18.0.1");
	CHECK(!cfg.nets[0].mac_set);
	CHECK(cfg.nets[1].queues == 1 && cfg.nets[1].mac_set);
	CHECK(cfg.nets[1].mac[0] == 0x52 && cfg.nets[1].mac[3] == 0xab && cfg.nets[1].mac[5] == 0x01);
	CHECK_STR(cfg.nets[1].tap, "tap7");

	/* Default MACs: locally administered unicast, stable, and different per NIC and per VM. */
	config_finish(&cfg, NULL);
	CHECK(cfg.nets[0].mac[0] == 0x02);
	CHECK(cfg.nets[1].mac[0] == 0x52);	/* a given MAC stays */
	memcpy(first, cfg.nets[0].mac, 6);
	config_finish(&cfg, NULL);
	CHECK(!memcmp(first, cfg.nets[0].mac, 6));
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[net lan]\n[net lan2]\n") == 0);
	config_finish(&cfg, NULL);
	CHECK(!memcmp(first, cfg.nets[0].mac, 6));
	CHECK(memcmp(cfg.nets[0].mac, cfg.nets[1].mac, 6) != 0);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[vm]\nname = other\n[net lan]\n") == 0);
	config_finish(&cfg, NULL);
	CHECK(memcmp(first, cfg.nets[0].mac, 6) != 0);
	CHECK_STR(cfg.vm_name, "other");
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[net a]\nmodel = e1000\n[net b]\nmodel = rtl8139\n[net c]\nmodel = virtio\n") == 0);
	CHECK(cfg.nets[0].model == CONFIG_NET_E1000 && cfg.nets[1].model == CONFIG_NET_RTL8139 &&
	      cfg.nets[2].model == CONFIG_NET_VIRTIO);
}

static void user_nets(void)
{
	struct config cfg = { 0 };

	CHECK(parse(&cfg, "[net u]\nbackend = user\nforward = 8080:80, 5353:53/udp,22:2222/tcp\n"
			  "[net t]\nbackend = tap\n[net v]\nbackend = user\nip = 10.9.0.2/16\n"
			  "gateway = 10.9.0.1\nmodel = e1000\n") == 0);
	CHECK(cfg.nets[0].backend == CONFIG_NET_USER && cfg.nets[1].backend == CONFIG_NET_TAP);
	CHECK_STR(cfg.nets[0].ip, CONFIG_USER_NET_IP);
	CHECK_STR(cfg.nets[0].gateway, CONFIG_USER_NET_GATEWAY);
	CHECK_STR(cfg.nets[1].ip, "");
	CHECK_STR(cfg.nets[2].ip, "10.9.0.2/16");
	CHECK_STR(cfg.nets[2].gateway, "10.9.0.1");
	CHECK(cfg.nets[0].nforwards == 3);
	CHECK(cfg.nets[0].forwards[0].host == 8080 && cfg.nets[0].forwards[0].guest == 80 &&
	      !cfg.nets[0].forwards[0].udp);
	CHECK(cfg.nets[0].forwards[1].host == 5353 && cfg.nets[0].forwards[1].udp);
	CHECK(cfg.nets[0].forwards[2].guest == 2222 && !cfg.nets[0].forwards[2].udp);
	/* The same port both ways is two forwards. */
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[net u]\nbackend = user\nforward = 53:53,53:53/udp\n") == 0);
	CHECK(cfg.nets[0].nforwards == 2);
}

/* --net user and -p: the NIC added, the forwards where they belong, one-line errors. */
static void net_cli(void)
{
	const char *p[] = { "8080:80", "5353:53/udp" }, *bad[] = { "80" }, *twice[] = { "1:2", "1:3" };
	struct config cfg = { 0 };

	CHECK(config_apply_net_cli(&cfg, true, p, 2, err, sizeof(err)) == 0);
	CHECK(cfg.nnets == 1 && cfg.nets[0].backend == CONFIG_NET_USER);
	CHECK_STR(cfg.nets[0].name, "user");
	CHECK_STR(cfg.nets[0].ip, CONFIG_USER_NET_IP);
	CHECK(cfg.nets[0].nforwards == 2 && cfg.nets[0].forwards[1].udp);
	/* A [net user] taken: user-1. */
	CHECK(config_apply_net_cli(&cfg, true, NULL, 0, err, sizeof(err)) == 0);
	CHECK_STR(cfg.nets[1].name, "user-1");
	/* -p without --net user: the config's user-mode NIC, or an error. */
	memset(&cfg, 0, sizeof(cfg));
	CHECK(parse(&cfg, "[net t]\n[net u]\nbackend = user\n") == 0);
	CHECK(config_apply_net_cli(&cfg, false, p, 1, err, sizeof(err)) == 0);
	CHECK(cfg.nets[1].nforwards == 1 && cfg.nets[0].nforwards == 0);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(config_apply_net_cli(&cfg, false, p, 1, err, sizeof(err)) < 0);
	CHECK_STR(err, "-p 8080:80 needs --net user");
	CHECK(config_apply_net_cli(&cfg, true, bad, 1, err, sizeof(err)) < 0);
	CHECK_STR(err, "-p: '80' is not HOST:GUEST[/udp] (ports 1 to 65535)");
	memset(&cfg, 0, sizeof(cfg));
	CHECK(config_apply_net_cli(&cfg, true, twice, 2, err, sizeof(err)) < 0);
	CHECK_STR(err, "-p: host port 1/tcp is forwarded twice");
	CHECK(!strchr(err, '\n'));
}

static void net_errors(void)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "[net a]\nmodel = e1000\nqueues = 2\n", "test.conf:1: [net a]: queues = 2 needs model = virtio (the legacy NICs have one)" },
		{ "[net a]\nmodel = ne2k\n", "test.conf:2: model: 'ne2k' is not virtio, rtl8139 or e1000" },
		{ "[net a]\nqueues = 0\n", "test.conf:2: queues: '0' is not a queue count from 1 to 8" },
		{ "[net a]\nqueues = 9\n", "test.conf:2: queues: '9' is not a queue count from 1 to 8" },
		{ "[net a]\nmac = 01:00:00:00:00:01\n", "test.conf:2: mac: '01:00:00:00:00:01' is a multicast address; a NIC needs a unicast one" },
		{ "[net a]\nmac = 02:00:00:00:00\n", "test.conf:2: mac: '02:00:00:00:00' is not a MAC address (like 02:00:00:00:00:01)" },
		{ "[net a]\nmac = 00:00:00:00:00:00\n", "test.conf:2: mac: '00:00:00:00:00:00' is the all-zero address" },
		/* Found by fuzz_config: sscanf's %x took a sign, a blank or 0x for a byte. */
		{ "[net a]\nmac = 0a:1f:-c:3d:4e:5f\n", "test.conf:2: mac: '0a:1f:-c:3d:4e:5f' is not a MAC address (like 02:00:00:00:00:01)" },
		{ "[net a]\nmac = 02:+f:00:00:00:01\n", NULL },
		{ "[net a]\nmac = 02: f:00:00:00:01\n", NULL },
		{ "[net a]\nmac = 02:0x:00:00:00:01\n", NULL },
		{ "[net a]\nmac = 02-00-00-00-00-01\n", NULL },
		{ "[net a]\nip = 198.18.0.2\n", "test.conf:2: ip: '198.18.0.2' is not an IPv4 address with a prefix length (like 198.18.0.2/24)" },
		{ "[net a]\nip = 198.18.0.2/33\n", "test.conf:2: ip: '198.18.0.2/33' is not an IPv4 address with a prefix length (like 198.18.0.2/24)" },
		{ "[net a]\nip = 198.18.0.300/24\n", "test.conf:2: ip: '198.18.0.300/24' is not an IPv4 address with a prefix length (like 198.18.0.2/24)" },
		{ "[net a]\ngateway = gw\n", "test.conf:2: gateway: 'gw' is not an IPv4 address" },
		{ "[net a]\ngateway = 198.18.0.1\n", "test.conf:1: [net a]: gateway needs ip" },
		{ "[net a]\ntap = a-name-far-too-long\n", "test.conf:2: tap: 'a-name-far-too-long' is not an interface name (1 to 15 characters)" },
		{ "[net a]\nbridge = br:0\n", "test.conf:2: bridge: 'br:0' is not an interface name (no '/', ':', '%' or blanks)" },
		{ "[net a]\n[net a]\n", "test.conf:2: a NIC named 'a' is already defined" },
		{ "[net a]\nspeed = 10G\n", NULL },
		/* backend = user: no tap, bridge or second queue, whichever key comes first. */
		{ "[net a]\nbackend = slirp\n", "test.conf:2: backend: 'slirp' is not tap or user" },
		{ "[net a]\nbackend = user\ntap = tap0\n", "test.conf:3: tap: a user-mode NIC (backend = user) has no tap" },
		{ "[net a]\ntap = tap0\nbackend = user\n", "test.conf:3: backend: a user-mode NIC (backend = user) has no tap" },
		{ "[net a]\nbackend = user\nbridge = br0\n", "test.conf:3: bridge: a user-mode NIC (backend = user) has no bridge" },
		{ "[net a]\nqueues = 2\nbackend = user\n", "test.conf:3: backend: a user-mode NIC (backend = user) has one queue, not 2" },
		{ "[net a]\nbackend = user\nqueues = 2\n", "test.conf:3: queues: a user-mode NIC (backend = user) has one queue, not 2" },
		{ "[net a]\nforward = 8080:80\n", "test.conf:1: [net a]: forward needs backend = user" },
		{ "[net a]\nbackend = user\nip = 10.9.0.2/24\n", "test.conf:1: [net a]: backend = user with ip needs gateway (where the guest reaches the host)" },
		{ "[net a]\nbackend = user\nforward = 8080\n", "test.conf:3: forward: '8080' is not HOST:GUEST[/udp] (ports 1 to 65535)" },
		{ "[net a]\nbackend = user\nforward = 0:80\n", "test.conf:3: forward: '0:80' is not HOST:GUEST[/udp] (ports 1 to 65535)" },
		{ "[net a]\nbackend = user\nforward = 80:65536\n", "test.conf:3: forward: '80:65536' is not HOST:GUEST[/udp] (ports 1 to 65535)" },
		{ "[net a]\nbackend = user\nforward = 80:81/sctp\n", "test.conf:3: forward: '80:81/sctp' is not HOST:GUEST[/udp] (ports 1 to 65535)" },
		{ "[net a]\nbackend = user\nforward = 80:81,,82:83\n", "test.conf:3: forward: '' is not HOST:GUEST[/udp] (ports 1 to 65535)" },
		{ "[net a]\nbackend = user\nforward = +80:81\n", NULL },
		{ "[net a]\nbackend = user\nforward = 80:81/udp,80:82/udp\n", "test.conf:3: forward: host port 80/udp is forwarded twice" },
		{ "[net a]\nbackend = user\nforward = =\n", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg = { 0 };

		CHECK(parse(&cfg, cases[i].text) < 0);
		if (cases[i].err)
			CHECK_STR(err, cases[i].err);
	}
}

static void balloon(void)
{
	struct config cfg = { 0 };
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "[balloon]\nenabled = maybe\n", "test.conf:2: enabled: 'maybe' is not true or false" },
		{ "[balloon]\nstats_interval = -1\n", "test.conf:2: stats_interval: '-1' is not a number of seconds from 0 (off) to 3600" },
		{ "[balloon]\nstats_interval = 3601\n", "test.conf:2: stats_interval: '3601' is not a number of seconds from 0 (off) to 3600" },
		{ "[balloon]\nstats_interval = 5s\n", "test.conf:2: stats_interval: '5s' is not a number of seconds from 0 (off) to 3600" },
		{ "[balloon]\ntarget = lots\n", "test.conf:2: target: 'lots' is not a size (examples: 128M, 1G)" },
		{ "[balloon]\ntarget = 0\n", "test.conf:2: target: '0' is out of range (1M to 512G, at most [vm] memory)" },
		{ "[balloon]\ntarget = 513G\n", "test.conf:2: target: '513G' is out of range (1M to 512G, at most [vm] memory)" },
		{ "[balloon]\ndeflate_on_oom = 2\n", "test.conf:2: deflate_on_oom: '2' is not true or false" },
		{ "[balloon]\nfree_page_reporting = yes please\n", "test.conf:2: free_page_reporting: 'yes please' is not true or false" },
		{ "[balloon x]\n", "test.conf:1: section [balloon] takes no name" },
		{ "[balloon]\nsize = 1G\n", "test.conf:2: unknown key 'size' in [balloon]" },
	};

	CHECK(parse(&cfg, "[balloon]\nenabled = true\nstats_interval = 5\ndeflate_on_oom = yes\n"
			  "free_page_reporting = on\ntarget = 128M\n") == 0);
	CHECK(cfg.balloon.enabled && cfg.balloon.stats_interval == 5);
	CHECK(cfg.balloon.deflate_on_oom && cfg.balloon.free_page_reporting);
	CHECK(cfg.balloon.target == 128ull << 20);
	/* A later file turns things off on top. */
	CHECK(parse(&cfg, "[balloon]\nstats_interval = 0\nfree_page_reporting = false\n") == 0);
	CHECK(cfg.balloon.stats_interval == 0 && !cfg.balloon.free_page_reporting);
	CHECK(cfg.balloon.enabled && cfg.balloon.target == 128ull << 20);
	CHECK(parse(&cfg, "[balloon]\nenabled = off\n") == 0 && !cfg.balloon.enabled);
	/* The built-in defaults (tests run from the top of the tree). */
	memset(&cfg, 0, sizeof(cfg));
	CHECK(config_load_file(&cfg, "images/default.conf", err, sizeof(err)) == 0);
	CHECK(cfg.balloon.enabled && cfg.balloon.stats_interval == 5 && cfg.balloon.target == 0);
	CHECK(cfg.balloon.deflate_on_oom && cfg.balloon.free_page_reporting);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(parse(&cfg, bad[i].text) < 0);
		CHECK_STR(err, bad[i].err);
	}
}

int main(void)
{
	RUN(nets);
	RUN(net_errors);
	RUN(user_nets);
	RUN(net_cli);
	RUN(disks);
	RUN(backing_dirs);
	RUN(root_image);
	RUN(sizes);
	RUN(good_file);
	RUN(later_file_overrides);
	RUN(errors_name_file_and_line);
	RUN(kernel_files);
	RUN(load_file_errors);
	RUN(long_values);
	RUN(balloon);
	return CHECK_SUMMARY();
}
