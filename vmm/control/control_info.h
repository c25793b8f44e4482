/* The answer to "info vm": what the VM is made of, from its config, and how long it has run. */
#ifndef CAPSULE_CONTROL_INFO_H
#define CAPSULE_CONTROL_INFO_H

#include <stdint.h>

#include "config/config.h"
#include "control/control_answer.h"
#include "control/control_path.h"

struct control_vm_info {
	const struct config *cfg;
	const char *name;			/* the VM's name, when not cfg's [vm] name */
	const char *nic_hosts[CONFIG_NETS_MAX];	/* what each NIC is on ("tap capsule0"), or NULL */
	char socket[CONTROL_PATH_MAX + 1];	/* the control socket's path */
	long pid;				/* capsule's, as the host sees it */
	/* "running"; a command that changes it (pause, resume) points it elsewhere. */
	const char *state;
};

/*
 * Add info vm's members to A: name, state, memory (bytes), vcpus,
 * uptime_ms (UPTIME_MS), pid, socket, and devices, an array with one
 * object per device (id, type, and what its config says).
 */
void control_info_vm(const struct control_vm_info *info, uint64_t uptime_ms,
		     struct control_answer *a);

#endif
