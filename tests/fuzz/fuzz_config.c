/* libFuzzer target: the config parser on fuzzed text over the built-in defaults, then config_finish(). */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "fuzz_input.h"

/*
 * The input: the text of a config file given with -c; after a NUL byte, the
 * IMG of a `capsule run --disk IMG` (more NULs: ignored). It is applied as
 * main() applies it: over images/default.conf (FUZZ_DEFAULT_CONF, its path at
 * build time), then the file, then the --disk, then config_finish(). One input
 * in 16 (by its length) is written to a file and read with config_load_file()
 * as main() does; the rest go to config_parse_text() directly, because the
 * loader's 1 MiB buffer costs more than the parse under ASan. Relative paths, the
 * --disk one too (as if capsule ran there), resolve in a directory made at
 * start with a few files to name: disk.img, kernel, initrd, a directory dir
 * and a fifo.
 */
static char fixture[64];
static char *default_conf;

static void remove_fixture(void)
{
	static const char *const names[] = { "disk.img", "kernel", "initrd", "fuzz.conf", "fifo" };
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fixture, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/dir", fixture);
	rmdir(path);
	rmdir(fixture);
}

static void make_fixture(void)
{
	static const char *const files[] = { "disk.img", "kernel", "initrd", "fuzz.conf" };
	const char *tmp = getenv("FUZZ_DIR");
	char path[128];
	int fd;

	snprintf(fixture, sizeof(fixture), "%s/capsule-fuzz-XXXXXX", tmp && *tmp ? tmp : "/dev/shm");
	if (!mkdtemp(fixture))
		abort();
	atexit(remove_fixture);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fixture, files[i]);
		if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) < 0)
			abort();
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/dir", fixture);
	if (mkdir(path, 0700) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/fifo", fixture);
	if (mkfifo(path, 0600) < 0)
		abort();
}

static void load_default_conf(void)
{
	FILE *f = fopen(FUZZ_DEFAULT_CONF, "r");
	static char buf[4096];
	size_t n;

	if (!f)
		abort();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	default_conf = buf;
}

static bool terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}
#define TERMINATED(field) FUZZ_CHECK(terminated(field, sizeof(field)))

/* What [disk NAME] and [net NAME] accept as NAME. */
static bool good_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CONFIG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static void check_disk(const struct config *cfg, unsigned i)
{
	const struct config_disk *d = &cfg->disks[i];

	TERMINATED(d->name);
	TERMINATED(d->path);
	TERMINATED(d->serial);
	FUZZ_CHECK(good_name(d->name) && d->path[0] && !(d->readonly && d->snapshot));
	FUZZ_CHECK(d->format <= CONFIG_FORMAT_QCOW2 && strlen(d->serial) <= CONFIG_SERIAL_MAX);
	for (const char *p = d->serial; *p; p++)
		FUZZ_CHECK(isgraph((unsigned char)*p));
	for (unsigned k = 0; k < i; k++)
		FUZZ_CHECK(strcmp(cfg->disks[k].name, d->name) != 0);
}

/* Empty (none), or an interface name Linux takes. */
static bool good_ifname(const char *s)
{
	if (!*s)
		return true;
	if (strlen(s) > CONFIG_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || strchr("/:%", *s))
			return false;
	return true;
}

/* A MAC that was written in the file must be there as xx:xx:xx:xx:xx:xx. */
static void check_mac(const struct config_net *n, const char *text)
{
	char want[18];

	FUZZ_CHECK(!(n->mac[0] & 1) && (n->mac[0] | n->mac[1] | n->mac[2] | n->mac[3] |
					 n->mac[4] | n->mac[5]));
	if (!n->mac_set)
		return;
	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
		 n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	FUZZ_CHECK(strcasestr(text, want) != NULL);
}

static void check_net(const struct config *cfg, unsigned i, const char *text)
{
	const struct config_net *n = &cfg->nets[i];
	char addr[20];
	struct in_addr a;
	unsigned prefix;
	int end = 0;

	TERMINATED(n->name);
	TERMINATED(n->tap);
	TERMINATED(n->bridge);
	TERMINATED(n->ip);
	TERMINATED(n->gateway);
	FUZZ_CHECK(good_name(n->name) && n->model == CONFIG_NET_VIRTIO);
	FUZZ_CHECK(n->queues >= 1 && n->queues <= CONFIG_NET_QUEUES_MAX);
	FUZZ_CHECK(good_ifname(n->tap) && good_ifname(n->bridge));
	FUZZ_CHECK(!n->gateway[0] || (n->ip[0] && inet_pton(AF_INET, n->gateway, &a) == 1));
	if (n->ip[0]) {
		FUZZ_CHECK(sscanf(n->ip, "%19[0-9.]/%u%n", addr, &prefix, &end) == 2 && !n->ip[end]);
		FUZZ_CHECK(inet_pton(AF_INET, addr, &a) == 1 && prefix >= 1 && prefix <= 32);
	}
	check_mac(n, text);
	for (unsigned k = 0; k < i; k++)
		FUZZ_CHECK(strcmp(cfg->nets[k].name, n->name) != 0);
}

/* A config the parser accepted holds only values capsule can start with. */
static void check_config(const struct config *cfg, const char *text)
{
	TERMINATED(cfg->vm_name);
	TERMINATED(cfg->kernel_path);
	TERMINATED(cfg->initrd_path);
	TERMINATED(cfg->cmdline_append);
	TERMINATED(cfg->control_socket);
	FUZZ_CHECK(strlen(cfg->control_socket) <= 107);	/* what sun_path holds */
	FUZZ_CHECK(cfg->vm_name[0]);
	FUZZ_CHECK(cfg->memory >= CONFIG_MEMORY_MIN && cfg->memory <= CONFIG_MEMORY_MAX &&
		   cfg->memory % 4096 == 0);
	FUZZ_CHECK(cfg->vcpus >= 1 && cfg->vcpus <= CONFIG_VCPUS_MAX);
	FUZZ_CHECK(cfg->ndisks <= CONFIG_DISKS_MAX && cfg->nnets <= CONFIG_NETS_MAX);
	for (unsigned i = 0; i < cfg->ndisks; i++)
		check_disk(cfg, i);
	for (unsigned i = 0; i < cfg->nnets; i++)
		check_net(cfg, i, text);
}

/* A refusal is "--disk IMG: ...", or one line "FILE:LINE: message" with a line the text has. */
static void check_error(const char *err, const char *file, const char *text)
{
	size_t lines = 1, n = strlen(file);
	unsigned long line;
	char *end;

	/* The command line's IMG is quoted as given, newlines and all. */
	if (!strncmp(err, "--disk ", 7))
		return;
	FUZZ_CHECK(err[0] && !strchr(err, '\n'));
	FUZZ_CHECK(!strncmp(err, file, n) && err[n] == ':');
	line = strtoul(err + n + 1, &end, 10);
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	FUZZ_CHECK(*end == ':' && line >= 1 && line <= lines);
}

/* The file -c names: what the input has before its first NUL. */
static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char file[128], err[1024], disk[PATH_MAX + 128], *text = malloc(size + 2);
	const char *arg;

	if (!fixture[0]) {
		make_fixture();
		load_default_conf();
	}
	/* Two NULs at the end: the text always ends, and so does the --disk after it. */
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	arg = text + strlen(text) + 1;
	snprintf(disk, sizeof(disk), "%s%s%s", *arg == '/' ? "" : fixture, *arg == '/' ? "" : "/", arg);
	memset(&cfg, 0, sizeof(cfg));
	err[0] = '\0';
	if (config_parse_text(&cfg, "built-in default.conf", default_conf, NULL, err, sizeof(err)) < 0)
		abort();
	snprintf(file, sizeof(file), "%s/fuzz.conf", fixture);
	if (size % 16 == 0)
		write_file(file, text);
	if ((size % 16 == 0 ? config_load_file(&cfg, file, err, sizeof(err)) :
			      config_parse_text(&cfg, file, text, fixture, err, sizeof(err))) < 0 ||
	    (*arg && config_add_snapshot_disk(&cfg, "cli-0", disk, err, sizeof(err)) < 0)) {
		check_error(err, file, text);
	} else {
		config_finish(&cfg, file);
		check_config(&cfg, text);
	}
	free(text);
	return 0;
}
