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
#define CONFIG_NETS_MAX 8
#define CONFIG_NET_QUEUES_MAX 8	/* queue pairs: 2 per pair + control <= the transport's 17 */
#define CONFIG_IFNAME_MAX 15	/* a Linux interface name (IFNAMSIZ - 1) */
#define CONFIG_VM_NAME_MAX 256
#define CONFIG_BACKING_DIRS_MAX 4	/* BLOCK_BACKING_DIRS_MAX */

enum config_disk_format { CONFIG_FORMAT_AUTO, CONFIG_FORMAT_RAW, CONFIG_FORMAT_QCOW2 };

/* One [disk NAME] section: vda, vdb, ... in the order they appear. */
struct config_disk {
	char name[CONFIG_NAME_MAX];
	char path[PATH_MAX];		/* path: the image */
	bool readonly;			/* readonly: writes fail with an I/O error */
	bool snapshot;			/* snapshot: writes go to a throwaway overlay */
	enum config_disk_format format;	/* format: auto, raw or qcow2 */
	char serial[CONFIG_SERIAL_MAX + 1]; /* serial: what GET_ID answers */
	/* backing_dirs: where else backing files named inside images may be (absolute) */
	char backing_dirs[CONFIG_BACKING_DIRS_MAX][PATH_MAX];
	unsigned nbacking_dirs;
};

enum config_net_model { CONFIG_NET_VIRTIO, CONFIG_NET_RTL8139, CONFIG_NET_E1000 };

/* What carries a NIC's frames on the host: a tap device, or passt (user-mode, no privileges). */
enum config_net_backend { CONFIG_NET_TAP, CONFIG_NET_USER };

#define CONFIG_FORWARDS_MAX 16	/* PASST_FORWARDS_MAX */

/* forward = HOST:GUEST[/udp]: the host's 127.0.0.1:HOST reaches the guest's port GUEST. */
struct config_forward {
	uint16_t host, guest;
	bool udp;
};

/* A user-mode NIC's addresses unless ip and gateway say otherwise; DNS is always this one. */
#define CONFIG_USER_NET_IP "10.0.2.15/24"
#define CONFIG_USER_NET_GATEWAY "10.0.2.2"
#define CONFIG_USER_NET_DNS "10.0.2.3"

/* One [net NAME] section: a guest NIC on a host tap device, eth0, eth1, ... in order. */
struct config_net {
	char name[CONFIG_NAME_MAX];
	enum config_net_model model;	/* model: virtio, rtl8139 or e1000 */
	char tap[CONFIG_IFNAME_MAX + 1];	/* tap: "" means capsule creates one, named by the kernel */
	char bridge[CONFIG_IFNAME_MAX + 1];	/* bridge: "" means the tap stays unattached */
	uint8_t mac[6];			/* mac: the guest's address */
	bool mac_set;			/* false: derived from the VM and NIC names (config_finish) */
	unsigned queues;		/* queues: queue pairs, 1..CONFIG_NET_QUEUES_MAX */
	char ip[20];			/* ip: "ADDR/PREFIX" for the guest, "" for none */
	char gateway[16];		/* gateway: the guest's default route, "" for none */
	enum config_net_backend backend;	/* backend: tap or user */
	struct config_forward forwards[CONFIG_FORWARDS_MAX];	/* forward: user only */
	unsigned nforwards;
};

#define CONFIG_STATS_INTERVAL_MAX 3600	/* [balloon] stats_interval, seconds */
#define CONFIG_BALLOON_TARGET_MIN (1ull << 20)

/* The [balloon] section: the memory balloon, a virtio-balloon device. */
struct config_balloon {
	bool enabled;			/* enabled: the guest has the device */
	unsigned stats_interval;	/* stats_interval: seconds between stats requests, 0: none */
	bool deflate_on_oom;		/* deflate_on_oom: the guest takes pages back rather than OOM-kill */
	bool free_page_reporting;	/* free_page_reporting: pages the guest frees go back to the host */
	uint64_t target;		/* target: the guest's size at start, bytes; 0: all of [vm] memory */
};

enum config_seccomp { CONFIG_SECCOMP_ON, CONFIG_SECCOMP_OFF, CONFIG_SECCOMP_LOG };

#define CONFIG_USER_MAX 32	/* a user name */

struct config {
	char vm_name[CONFIG_VM_NAME_MAX]; /* [vm] name: what default MACs derive from */
	enum config_seccomp seccomp;	/* [vm] seccomp: on, off or log */
	bool jail;			/* [jail] enabled: started as root, jail the monitor */
	char jail_user[CONFIG_USER_MAX];	/* [jail] user: whom the jailed monitor runs as */
	uint64_t memory;		/* [vm] memory: guest RAM in bytes */
	unsigned vcpus;			/* [vm] vcpus */
	char kernel_path[PATH_MAX];	/* [kernel] path: "" means the built-in kernel */
	char initrd_path[PATH_MAX];	/* [kernel] initrd: "" means the built-in initrd */
	char cmdline_append[CONFIG_CMDLINE_MAX]; /* [kernel] cmdline_append */
	char root_path[PATH_MAX];	/* [vm] root: the workload's root image; "" for the initrd */
	bool root_persist;		/* [vm] persist: the guest's writes to it stay */
	struct config_disk disks[CONFIG_DISKS_MAX];
	unsigned ndisks;
	struct config_net nets[CONFIG_NETS_MAX];
	unsigned nnets;
	bool control;			/* [control] enabled: serve a control socket */
	char control_socket[PATH_MAX];	/* [control] socket: "" for the default path */
	struct config_balloon balloon;	/* [balloon] */
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

/*
 * The root image, from --image (PATH, PERSIST) when PATH is not NULL, else
 * from [vm] root and persist: added as the last disk, named "vm.root", behind a
 * throwaway overlay unless it persists. Returns its index in cfg->disks, -2
 * when there is no root image, or -1 with ERR saying what is wrong.
 */
int config_add_root_disk(struct config *cfg, const char *path, bool persist, char *err,
			 size_t errlen);

/*
 * Once every source of settings is applied: fill in what defaults on other
 * keys (a NIC's MAC, from the VM's name). FILE is the config file given, NULL
 * for the built-in one; it names the VM when [vm] name does not.
 */
void config_finish(struct config *cfg, const char *file);

/*
 * capsule run --net user (NET_USER) and its -p SPEC options (N of them in
 * PUBLISH): a user-mode NIC named "user" (or "user-N" when taken) added to
 * CFG, and each SPEC forwarded to it (to the config's first user-mode NIC
 * without --net user). Returns 0, or -1 with ERR in one line naming the
 * option. Before config_finish().
 */
int config_apply_net_cli(struct config *cfg, bool net_user, const char *const *publish,
			 unsigned n, char *err, size_t errlen);

/* Parse "256M", "1G", "65536" (binary suffixes K M G T) into bytes; 0 or -1. */
int config_parse_size(const char *s, uint64_t *out);

#endif
