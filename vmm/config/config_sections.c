/* The config file's sections and keys: [vm], [kernel], [jail], [disk NAME]; [net NAME] and [control] have files of their own. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_schema.h"

static int set_memory(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;
	uint64_t v;

	(void)base_dir;
	if (config_parse_size(value, &v) < 0) {
		snprintf(why, n, "'%s' is not a size (examples: 256M, 2G)", value);
		return -1;
	}
	if (v < CONFIG_MEMORY_MIN || v > CONFIG_MEMORY_MAX || v % 4096) {
		snprintf(why, n, "'%s' is out of range (32M to 512G, a multiple of 4K)", value);
		return -1;
	}
	cfg->memory = v;
	return 0;
}

static int set_vm_name(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	(void)base_dir;
	if (!*value || strlen(value) >= sizeof(cfg->vm_name)) {
		snprintf(why, n, "the name must have 1 to %d characters", CONFIG_VM_NAME_MAX - 1);
		return -1;
	}
	strcpy(cfg->vm_name, value);
	return 0;
}

static int set_vcpus(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;
	char *end;
	long v;

	(void)base_dir;
	errno = 0;
	v = strtol(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end || errno || v < 1 || v > CONFIG_VCPUS_MAX) {
		snprintf(why, n, "'%s' is not a vCPU count from 1 to %d", value, CONFIG_VCPUS_MAX);
		return -1;
	}
	cfg->vcpus = (unsigned)v;
	return 0;
}

static int set_seccomp(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	static const char *const names[] = { "on", "off", "log", NULL };
	int i = config_value_choice(value, names, why, n);

	(void)base_dir;
	if (i < 0)
		return -1;
	((struct config *)target)->seccomp = (enum config_seccomp)i;
	return 0;
}

static int set_jail_enabled(void *target, const char *value, const char *base_dir, char *why,
			    size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config *)target)->jail, why, n);
}

static int set_jail_user(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	(void)base_dir;
	if (!*value || strlen(value) >= sizeof(cfg->jail_user) || strchr(value, ':')) {
		snprintf(why, n, "'%s' is not a user name", value);
		return -1;
	}
	strcpy(cfg->jail_user, value);
	return 0;
}

static int set_kernel_path(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	return config_value_file(cfg->kernel_path, sizeof(cfg->kernel_path), value, base_dir, why, n);
}

static int set_initrd_path(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	return config_value_file(cfg->initrd_path, sizeof(cfg->initrd_path), value, base_dir, why, n);
}

static int set_cmdline_append(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	(void)base_dir;
	if (strlen(value) >= sizeof(cfg->cmdline_append)) {
		snprintf(why, n, "longer than %d characters", CONFIG_CMDLINE_MAX - 1);
		return -1;
	}
	strcpy(cfg->cmdline_append, value);
	return 0;
}

static int set_root(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	return config_value_file(cfg->root_path, sizeof(cfg->root_path), value, base_dir, why, n);
}

static int set_persist(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config *)target)->root_persist, why, n);
}

static void *whole_config(struct config *cfg, const char *instance, char *why, size_t n)
{
	(void)instance;
	(void)why;
	(void)n;
	return cfg;
}

static int set_disk_path(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config_disk *d = target;

	return config_value_file(d->path, sizeof(d->path), value, base_dir, why, n);
}

static int set_disk_readonly(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config_disk *)target)->readonly, why, n);
}

static int set_disk_snapshot(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config_disk *)target)->snapshot, why, n);
}

static int set_disk_format(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	static const char *const names[] = { "auto", "raw", "qcow2", NULL };
	int i = config_value_choice(value, names, why, n);

	(void)base_dir;
	if (i < 0)
		return -1;
	((struct config_disk *)target)->format = (enum config_disk_format)i;
	return 0;
}

static int set_disk_serial(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config_disk *d = target;

	(void)base_dir;
	if (strlen(value) > CONFIG_SERIAL_MAX) {
		snprintf(why, n, "longer than %d characters", CONFIG_SERIAL_MAX);
		return -1;
	}
	for (const char *p = value; *p; p++)
		if (!isgraph((unsigned char)*p)) {
			snprintf(why, n, "'%s' has a character other than printable ASCII", value);
			return -1;
		}
	strcpy(d->serial, value);
	return 0;
}

/* DIR[:DIR...]: directories, each relative to the config file's, that must exist. */
static int set_disk_backing_dirs(void *target, const char *value, const char *base_dir, char *why,
				 size_t n)
{
	struct config_disk *d = target;
	const char *p = value;

	d->nbacking_dirs = 0;
	do {
		size_t len = strcspn(p, ":");
		char dir[PATH_MAX];

		if (d->nbacking_dirs == CONFIG_BACKING_DIRS_MAX) {
			snprintf(why, n, "more than %d directories", CONFIG_BACKING_DIRS_MAX);
			return -1;
		}
		if (len >= sizeof(dir)) {
			snprintf(why, n, "path too long");
			return -1;
		}
		memcpy(dir, p, len);
		dir[len] = 0;
		if (config_value_dir(d->backing_dirs[d->nbacking_dirs], PATH_MAX, dir, base_dir, why,
				     n) < 0)
			return -1;
		d->nbacking_dirs++;
		p += len;
	} while (*p++);
	return 0;
}

void *config_add_instance(void *elems, size_t size, unsigned *count, unsigned max,
			  const char *what, const char *instance, char *why, size_t n)
{
	char *e = elems;

	for (unsigned i = 0; i < *count; i++)
		if (!strcmp(e + i * size, instance)) {
			snprintf(why, n, "a %s named '%s' is already defined", what, instance);
			return NULL;
		}
	if (*count == max) {
		snprintf(why, n, "more than %u %ss", max, what);
		return NULL;
	}
	e += (*count)++ * size;
	memset(e, 0, size);
	snprintf(e, CONFIG_NAME_MAX, "%s", instance);
	return e;
}

_Static_assert(offsetof(struct config_disk, name) == 0, "config_add_instance needs name first");

static void *open_disk(struct config *cfg, const char *instance, char *why, size_t n)
{
	return config_add_instance(cfg->disks, sizeof(cfg->disks[0]), &cfg->ndisks,
				   CONFIG_DISKS_MAX, "disk", instance, why, n);
}

static int close_disk(void *target, char *why, size_t n)
{
	struct config_disk *d = target;

	if (!d->path[0]) {
		snprintf(why, n, "[disk %s] has no path", d->name);
		return -1;
	}
	if (d->readonly && d->snapshot) {
		snprintf(why, n, "[disk %s]: readonly and snapshot exclude each other", d->name);
		return -1;
	}
	return 0;
}

static const struct config_key vm_keys[] = {
	{ "name", set_vm_name },
	{ "memory", set_memory },
	{ "vcpus", set_vcpus },
	{ "seccomp", set_seccomp },
	{ "root", set_root },
	{ "persist", set_persist },
	{ NULL, NULL },
};

static const struct config_key jail_keys[] = {
	{ "enabled", set_jail_enabled },
	{ "user", set_jail_user },
	{ NULL, NULL },
};

static const struct config_key kernel_keys[] = {
	{ "path", set_kernel_path },
	{ "initrd", set_initrd_path },
	{ "cmdline_append", set_cmdline_append },
	{ NULL, NULL },
};

static const struct config_key disk_keys[] = {
	{ "path", set_disk_path },
	{ "readonly", set_disk_readonly },
	{ "snapshot", set_disk_snapshot },
	{ "format", set_disk_format },
	{ "serial", set_disk_serial },
	{ "backing_dirs", set_disk_backing_dirs },
	{ NULL, NULL },
};

const struct config_section config_sections[] = {
	{ "vm", false, vm_keys, whole_config, NULL },
	{ "kernel", false, kernel_keys, whole_config, NULL },
	{ "jail", false, jail_keys, whole_config, NULL },
	{ "disk", true, disk_keys, open_disk, close_disk },
	{ "net", true, config_net_keys, config_open_net, config_close_net },
	{ "control", false, config_control_keys, config_open_control, NULL },
	{ "balloon", false, config_balloon_keys, config_open_balloon, NULL },
	{ NULL, false, NULL, NULL, NULL },
};

int config_add_snapshot_disk(struct config *cfg, const char *name, const char *path,
			     char *err, size_t errlen)
{
	char why[400];
	struct config_disk *d = open_disk(cfg, name, why, sizeof(why));

	if (!d || set_disk_path(d, path, NULL, why, sizeof(why)) < 0) {
		if (d)
			cfg->ndisks--;
		snprintf(err, errlen, "--disk %s: %s", path, why);
		return -1;
	}
	d->snapshot = true;
	return 0;
}

int config_add_root_disk(struct config *cfg, const char *path, bool persist, char *err,
			 size_t errlen)
{
	const char *what = path ? "--image" : "[vm] root";
	struct config_disk *d;
	char why[400];

	if (!path && !cfg->root_path[0]) {
		if (cfg->root_persist) {
			snprintf(err, errlen, "[vm] persist: there is no root image ([vm] root or --image)");
			return -1;
		}
		return -2;
	}
	if (!path) {
		path = cfg->root_path;
		persist = cfg->root_persist;
	}
	/* A name no [disk NAME] can have (NAME has no dots): it never collides. */
	d = open_disk(cfg, "vm.root", why, sizeof(why));
	if (!d || set_disk_path(d, path, NULL, why, sizeof(why)) < 0) {
		if (d)
			cfg->ndisks--;
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	d->snapshot = !persist;
	return (int)(d - cfg->disks);
}
