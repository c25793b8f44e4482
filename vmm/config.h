/* The appliance configuration: an INI-style file parsed into struct config. */
#ifndef CAPSULE_CONFIG_H
#define CAPSULE_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MEMORY_MIN (32ull << 20)
#define CONFIG_MEMORY_MAX (512ull << 30)
#define CONFIG_VCPUS_MAX 32 /* BOOT_MAX_CPUS: what the firmware's MP table holds */
#define CONFIG_CMDLINE_MAX 1024
#define CONFIG_NAME_MAX 32	/* the NAME of [disk NAME] */
#define CONFIG_DISKS_MAX 8
#define CONFIG_SERIAL_MAX 20	/* virtio-blk's ID string */

enum config_disk_format { CONFIG_FORMAT_AUTO, CONFIG_FORMAT_RAW, CONFIG_FORMAT_QCOW2 };

/* One [disk NAME] section: vda, vdb, ... in the order they appear. */
struct config_disk {
	char name[CONFIG_NAME_MAX];
	char path[PATH_MAX];		/* path: the image */
	bool readonly;			/* readonly: writes fail with an I/O error */
	bool snapshot;			/* snapshot: writes go to a throwaway overlay */
	enum config_disk_format format;	/* format: auto, raw or qcow2 */
	char serial[CONFIG_SERIAL_MAX + 1]; /* serial: what GET_ID answers */
};

struct config {
	uint64_t memory;		/* [vm] memory: guest RAM in bytes */
	unsigned vcpus;			/* [vm] vcpus */
	char kernel_path[PATH_MAX];	/* [kernel] path: "" means the built-in kernel */
	char initrd_path[PATH_MAX];	/* [kernel] initrd: "" means the built-in initrd */
	char cmdline_append[CONFIG_CMDLINE_MAX]; /* [kernel] cmdline_append */
	struct config_disk disks[CONFIG_DISKS_MAX];
	unsigned ndisks;
};

/*
 * Apply the settings in TEXT (the contents of a config file called NAME) on
 * top of what CFG already holds. Relative paths in it are resolved against
 * BASE_DIR. Returns 0, or -1 with ERR holding "NAME:LINE: message".
 * Touches no global state and no KVM, so unit tests drive it directly.
 */
int config_parse_text(struct config *cfg, const char *name, const char *text,
		      const char *base_dir, char *err, size_t errlen);

/* Read the file PATH and apply it as config_parse_text() does. */
int config_load_file(struct config *cfg, const char *path, char *err, size_t errlen);

/*
 * Add a disk named NAME for image PATH with a throwaway overlay (capsule run
 * --disk). Returns 0, or -1 with ERR saying what is wrong.
 */
int config_add_snapshot_disk(struct config *cfg, const char *name, const char *path,
			     char *err, size_t errlen);

/* Parse "256M", "1G", "65536" (binary suffixes K M G T) into bytes; 0 or -1. */
int config_parse_size(const char *s, uint64_t *out);

#endif
