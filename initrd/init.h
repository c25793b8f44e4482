/* The guest's init: what the monitor asked for, and the ports it answers on. */
#ifndef CAPSULE_INIT_H
#define CAPSULE_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define INIT_NET_MAX 8		/* capsule.net= words init takes */

/* A growing NULL-terminated list of strings. */
struct init_list {
	char **v;
	size_t n;
};

/*
 * What the monitor asks of init: from the kernel command line (console=,
 * capsule.net=, capsule.dns=), and from the request file of the initramfs
 * (vmm/abi/run_request.h) when there is one. Another VMM, which does not
 * write that file, may put the command on the command line instead:
 * capsule.argv=HEX,HEX,... (each argument hex-encoded), capsule.tty=1,
 * capsule.root=/dev/vdX.
 */
struct init_request {
	char **argv;		/* the workload, NULL-terminated; NULL for a shell */
	int tty;		/* the host side is a terminal */
	char console[64];	/* /dev/NAME of the kernel's last console= */
	char *net[INIT_NET_MAX];	/* capsule.net= values, one per NIC */
	int nnet;
	struct init_list args;	/* argv's storage */
	struct init_list env;	/* NAME=VALUE over the defaults, in order */
	char *workdir;		/* NULL: the user's home */
	char *user;		/* UID[:GID] or NAME[:GROUP]; NULL: root */
	char *root;		/* the root image's device; NULL: stay in the initrd */
	unsigned rows, cols;	/* the host terminal's size; 0: unknown */
	char *dns;		/* capsule.dns=: the nameserver for the root's resolv.conf, or NULL */
	struct init_list copy_in;	/* guest paths the copy-in stream fills */
	struct init_list copy_out;	/* guest paths (relative to /) to send back */
};

/* Read /proc/cmdline into REQ (console=, capsule.net=, capsule.dns=, and another VMM's keys). */
void init_read_cmdline(struct init_request *req);

/* Whether the monitor left a request file. */
bool init_has_request(void);

/* Read the request file into REQ, and remove it; -1 (said on stderr) when it is malformed. */
int init_read_request(struct init_request *req);

/* Append a copy of S (LEN bytes) to L; -1 when out of memory. */
int init_list_add(struct init_list *l, const char *s, size_t len);

/* Whom the workload runs as. */
struct init_user {
	uid_t uid;
	gid_t gid;
	const char *name;	/* from /etc/passwd; NULL for a number it lacks */
	const char *home;
	bool in_passwd;
};

/* --user SPEC (NULL: root) as the current root's /etc files say; -1 (said on stderr) if unknown. */
int init_resolve_user(const char *spec, struct init_user *u);

/* Take U's groups, gid and uid; -1 (said on stderr) on failure. */
int init_become_user(const struct init_user *u);

/*
 * In the child: stdio on PORTS (NULL: the console is its terminal), into
 * ROOT (NULL: the initrd), as REQ's user, environment and directory; exec
 * REQ's command (NULL: a login shell). Does not return: 127 when the command
 * does not exist, 126 for any other failure (said on stderr).
 */
void init_exec_workload(const struct init_request *req, const char *root, char ports[3][64])
	__attribute__((noreturn));

/* Untar the copy-in port at ROOT's / (NULL: the initrd's), owned by REQ's user; 0 or -1 (said). */
int init_copy_in(const struct init_request *req, const char *root);

/* Tar REQ's copy-out paths of ROOT to their port, and wait for the host to take it; 0 or -1. */
int init_copy_out(const struct init_request *req, const char *root);

/*
 * Mount the root image DEV with proc, sys, dev inside, and the VM's hostname,
 * hosts and (when DNS names a nameserver) resolv.conf over its /etc's; its
 * path, or NULL (said on stderr).
 */
const char *init_mount_root(const char *dev, const char *dns);

/* Bring up lo as 127.0.0.1/8, and each NIC of REQ's capsule.net=MAC[,ADDR/PREFIX[,GATEWAY]]
 * (found by MAC, waited for up to 5 s in all); failures are reported on stderr and skipped. */
void init_net_setup(const struct init_request *req);

/* open(PATH, FLAGS), tried again for up to TIMEOUT_MS while the device is not there yet; fd or -1. */
int init_open_device(const char *path, int flags, unsigned timeout_ms);

/* Wait up to TIMEOUT_MS for the virtio port named NAME; its /dev path in DEV. 0 or -1. */
int init_find_port(const char *name, char *dev, size_t devlen, unsigned timeout_ms);

/*
 * Turn Ctrl-Alt-Del (SIGINT) and busybox's reboot, halt and poweroff (SIGTERM,
 * SIGUSR1, SIGUSR2) into a shutdown request; the kernel no longer reboots on
 * Ctrl-Alt-Del itself. Call it before init_port_mark(): the monitor types
 * Ctrl-Alt-Del only after that mark.
 */
void init_shutdown_setup(void);

/* Whether a shutdown was requested. */
bool init_shutdown_requested(void);

/*
 * End every process but init: SIGTERM (and SIGHUP to SHELL, the interactive
 * shell if > 0), then SIGKILL to those left after 5 s; returns once all are
 * reaped (or 1 s after SIGKILL).
 */
void init_end_processes(pid_t shell);

/* Tell the monitor: init is up (a boot milestone). */
void init_port_mark(void);

/* Tell the monitor the guest is done with STATUS; the VM ends. */
void init_port_exit(int status);

/* Tell the monitor init could not do its job (GUEST_FAIL_*); does not return. */
void init_port_fail(int code) __attribute__((noreturn));

#endif
