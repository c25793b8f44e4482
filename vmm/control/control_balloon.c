/* The balloon's control commands: "info balloon" and "balloon SIZE", on the I/O thread. */
#include "control/control_balloon.h"

#include <errno.h>

#include "config/config.h"
#include "virtio/virtio_balloon.h"

/* VIRTIO_BALLOON_S_* as JSON keys: the kernel's names with '_' for '-' (jq reads them as .a_b). */
static const char *const stat_keys[VIRTIO_BALLOON_S_NR] = {
	[VIRTIO_BALLOON_S_SWAP_IN] = "swap_in",
	[VIRTIO_BALLOON_S_SWAP_OUT] = "swap_out",
	[VIRTIO_BALLOON_S_MAJFLT] = "major_faults",
	[VIRTIO_BALLOON_S_MINFLT] = "minor_faults",
	[VIRTIO_BALLOON_S_MEMFREE] = "free_memory",
	[VIRTIO_BALLOON_S_MEMTOT] = "total_memory",
	[VIRTIO_BALLOON_S_AVAIL] = "available_memory",
	[VIRTIO_BALLOON_S_CACHES] = "disk_caches",
	[VIRTIO_BALLOON_S_HTLB_PGALLOC] = "hugetlb_allocations",
	[VIRTIO_BALLOON_S_HTLB_PGFAIL] = "hugetlb_failures",
};

static int no_balloon(struct control_answer *a)
{
	return control_answer_error(a, "this VM has no balloon ([balloon] enabled = false)");
}

/* The guest's latest statistics: only the tags it sent, and how old they are. */
static void stats(const struct virtio_balloon_stats *s, struct control_answer *a)
{
	control_answer_open(a, "stats", '{');
	for (unsigned t = 0; t < VIRTIO_BALLOON_S_NR; t++)
		if ((s->present & (1u << t)) && stat_keys[t])
			control_answer_u64(a, stat_keys[t], s->val[t]);
	control_answer_u64(a, "age_ms", (uint64_t)s->age_ms);
	control_answer_close(a);
}

static void counters(const struct virtio_balloon_counters *c, struct control_answer *a)
{
	control_answer_open(a, "counters", '{');
	control_answer_u64(a, "inflated", c->inflated);
	control_answer_u64(a, "deflated", c->deflated);
	control_answer_u64(a, "released", c->released);
	control_answer_u64(a, "reported", c->reported);
	control_answer_u64(a, "bad_pfns", c->bad_pfns);
	control_answer_u64(a, "duplicates", c->duplicates);
	control_answer_u64(a, "bad_reports", c->bad_reports);
	control_answer_u64(a, "stats_updates", c->stats_updates);
	control_answer_u64(a, "bad_stats", c->bad_stats);
	control_answer_u64(a, "release_errors", c->release_errors);
	control_answer_close(a);
}

/* The sizes both commands answer with. */
static void sizes(const struct virtio_balloon_info *i, struct control_answer *a)
{
	control_answer_bool(a, "ready", i->ready);
	control_answer_u64(a, "memory", i->memory);
	control_answer_u64(a, "target", i->target);
	control_answer_u64(a, "actual", i->actual);
}

int control_balloon_info(void *balloon, const struct control_request *req,
			 struct control_answer *a)
{
	struct virtio_balloon_info i;

	(void)req;
	if (!balloon)
		return no_balloon(a);
	virtio_balloon_info(balloon, &i);
	sizes(&i, a);
	if (i.reached_ms >= 0)
		control_answer_u64(a, "reached_ms", (uint64_t)i.reached_ms);
	control_answer_u64(a, "in_balloon", i.in_balloon * VIRTIO_BALLOON_PAGE);
	control_answer_open(a, "features", '{');
	control_answer_bool(a, "stats", i.stats_vq);
	control_answer_bool(a, "deflate_on_oom", i.deflate_on_oom);
	control_answer_bool(a, "free_page_reporting", i.free_page_reporting);
	control_answer_close(a);
	if (i.stats.age_ms >= 0)
		stats(&i.stats, a);
	counters(&i.counters, a);
	return 0;
}

int control_balloon_set(void *balloon, const struct control_request *req,
			struct control_answer *a)
{
	struct virtio_balloon *b = balloon;
	struct virtio_balloon_info i;

	if (!b)
		return no_balloon(a);
	if (req->size < CONFIG_BALLOON_TARGET_MIN)
		return control_answer_error(a, "%llu bytes is less than the smallest guest, 1M",
					    (unsigned long long)req->size);
	if (virtio_balloon_set_target(b, req->size) < 0)
		return control_answer_error(a, "%llu bytes is more than the VM's memory (%llu MiB)",
					    (unsigned long long)req->size,
					    (unsigned long long)(b->mem->size >> 20));
	virtio_balloon_info(b, &i);
	sizes(&i, a);
	return 0;
}
