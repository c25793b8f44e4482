/* The answer to "info vm": what the VM is made of, from its config, and how long it has run. */
#include "control/control_info.h"

#include <stdio.h>

static void disk(const struct config_disk *d, unsigned i, struct control_answer *a)
{
	static const char *const formats[] = {
		[CONFIG_FORMAT_AUTO] = "auto",
		[CONFIG_FORMAT_RAW] = "raw",
		[CONFIG_FORMAT_QCOW2] = "qcow2",
	};
	char id[8];

	snprintf(id, sizeof(id), "vd%c", 'a' + (char)i);
	control_answer_open(a, NULL, '{');
	control_answer_str(a, "id", id);
	control_answer_str(a, "type", "virtio-blk");
	control_answer_str(a, "name", d->name);
	control_answer_str(a, "path", d->path);
	control_answer_str(a, "format", formats[d->format]);
	control_answer_bool(a, "readonly", d->readonly);
	control_answer_bool(a, "snapshot", d->snapshot);
	control_answer_close(a);
}

static void nic(const struct config_net *n, const char *host, unsigned i, struct control_answer *a)
{
	char id[16], mac[18];

	snprintf(id, sizeof(id), "eth%u", i);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
		 n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	control_answer_open(a, NULL, '{');
	control_answer_str(a, "id", id);
	control_answer_str(a, "type", "virtio-net");
	control_answer_str(a, "name", n->name);
	control_answer_str(a, "backend", n->backend == CONFIG_NET_USER ? "user" : "tap");
	control_answer_str(a, "host", host ? host : "");
	control_answer_str(a, "bridge", n->bridge);
	control_answer_str(a, "mac", mac);
	control_answer_u64(a, "queues", n->queues);
	control_answer_close(a);
}

/* The balloon as configured; info balloon tells what the guest's driver made of it. */
static void balloon(const struct config_balloon *b, struct control_answer *a)
{
	control_answer_open(a, NULL, '{');
	control_answer_str(a, "id", "balloon0");
	control_answer_str(a, "type", "virtio-balloon");
	control_answer_u64(a, "stats_interval", b->stats_interval);
	control_answer_bool(a, "deflate_on_oom", b->deflate_on_oom);
	control_answer_bool(a, "free_page_reporting", b->free_page_reporting);
	control_answer_close(a);
}

void control_info_vm(const struct control_vm_info *info, uint64_t uptime_ms,
		     struct control_answer *a)
{
	const struct config *cfg = info->cfg;

	control_answer_str(a, "name", info->name ? info->name : cfg->vm_name);
	control_answer_str(a, "state", info->state);
	control_answer_u64(a, "memory", cfg->memory);
	control_answer_u64(a, "vcpus", cfg->vcpus);
	control_answer_u64(a, "uptime_ms", uptime_ms);
	control_answer_u64(a, "pid", (uint64_t)info->pid);
	control_answer_str(a, "socket", info->socket);
	control_answer_open(a, "devices", '[');
	for (unsigned i = 0; i < cfg->ndisks; i++)
		disk(&cfg->disks[i], i, a);
	for (unsigned i = 0; i < cfg->nnets; i++)
		nic(&cfg->nets[i], info->nic_hosts[i], i, a);
	control_answer_open(a, NULL, '{');
	control_answer_str(a, "id", "hvc0");
	control_answer_str(a, "type", "virtio-console");
	control_answer_close(a);
	if (cfg->balloon.enabled)
		balloon(&cfg->balloon, a);
	control_answer_close(a);
}
