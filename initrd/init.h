/* The guest's init: what the monitor asked for, and the ports it answers on. */
#ifndef CAPSULE_INIT_H
#define CAPSULE_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define INIT_NET_MAX 8		/* capsule.net= words init takes */

struct init_request {
	char **argv;		/* the workload, NULL-terminated; NULL for a shell */
	int tty;		/* the host side is a terminal */
	char console[64];	/* /dev/NAME of the kernel's last console= */
	char *net[INIT_NET_MAX];	/* capsule.net= values, one per NIC */
	int nnet;
};

/* Read /proc/cmdline into REQ (capsule.argv=, capsule.tty=, capsule.net=, console=). */
void init_read_request(struct init_request *req);

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
