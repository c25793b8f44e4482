/* The guest's init: what the monitor asked for, and the ports it answers on. */
#ifndef CAPSULE_INIT_H
#define CAPSULE_INIT_H

#include <stddef.h>

struct init_request {
	char **argv;		/* the workload, NULL-terminated; NULL for a shell */
	int tty;		/* the host side is a terminal */
	char console[64];	/* /dev/NAME of the kernel's last console= */
};

/* Read /proc/cmdline into REQ (capsule.argv=, capsule.tty=, console=). */
void init_read_request(struct init_request *req);

/* Wait up to TIMEOUT_MS for PATH to exist; 0 or -1. */
int init_wait_for_path(const char *path, unsigned timeout_ms);

/* Wait up to TIMEOUT_MS for the virtio port named NAME; its /dev path in DEV. 0 or -1. */
int init_find_port(const char *name, char *dev, size_t devlen, unsigned timeout_ms);

/* Tell the monitor: init is up (a boot milestone). */
void init_port_mark(void);

/* Tell the monitor the guest is done with STATUS; the VM ends. */
void init_port_exit(int status);

/* Tell the monitor init could not do its job; does not return. */
void init_port_fail(void) __attribute__((noreturn));

#endif
