/* Unit tests of the balloon's control commands, through the dispatch, on a balloon over fake guest RAM. */
#include <stdlib.h>
#include <sys/mman.h>

#include "check.h"
#include "control/control_balloon.h"
#include "control/control_human.h"
#include "control/control_json.h"
#include "virtio/virtio_balloon.h"
#include "virtio_driver.h"

#define RAM (64ull << 20)
#define CONFIG 0x100		/* virtio-mmio config space: num_pages, actual */

struct t {
	struct virtio_balloon b;
	struct virtio_mmio_dev dev;
	struct guest_mem gm;
	uint8_t *ram;
	struct control_handler handlers[CONTROL_CMDS];
	struct control_answer a;
	struct control_json answer;
	const char *line;
};

static void no_irq(void *opaque)
{
	(void)opaque;
}

/* A balloon over 64 MiB of RAM, the driver not up yet; its commands in the table (NULL: none). */
static void t_init(struct t *t, bool with_balloon)
{
	const struct virtio_balloon_options o = { 5, true, true };
	struct virtio_mmio_host h = { .raise_irq = no_irq, .opaque = t };
	void *balloon = with_balloon ? &t->b : NULL;

	memset(t, 0, sizeof(*t));
	t->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	CHECK(t->ram != MAP_FAILED);
	guest_mem_init_at(&t->gm, t->ram, RAM);
	CHECK(virtio_balloon_init(&t->b, &o, &t->gm, NULL) == 0);
	CHECK(virtio_mmio_init(&t->dev, &t->b.ops, &t->b, &t->gm, &h) == 0);
	t->b.dev = &t->dev;
	t->handlers[CONTROL_INFO_BALLOON] = (struct control_handler){ control_balloon_info, balloon };
	t->handlers[CONTROL_BALLOON] = (struct control_handler){ control_balloon_set, balloon };
}

static void t_free(struct t *t)
{
	virtio_mmio_destroy(&t->dev);
	free(t->b.bitmap);
	munmap(t->ram, RAM);
}

/* Send REQUEST; the answer must be one line of JSON, an object, kept in t->answer. */
static void ask(struct t *t, const char *request)
{
	size_t len;

	control_dispatch(t->handlers, request, strlen(request), &t->a);
	t->line = control_answer_finish(&t->a, &len);
	CHECK(len > 0 && t->line[len - 1] == '\n' && !memchr(t->line, '\n', len - 1));
	CHECK(control_json_parse(t->line, len, &t->answer) == 0 && t->answer.kind == '{');
}

/* Member PATH ("a" or "a.b") of the answer as a number; -1 when missing or not one. */
static int64_t num(struct t *t, const char *path)
{
	struct control_json obj = t->answer, v;
	char key[64];
	const char *dot = strchr(path, '.');
	uint64_t n;

	if (dot) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		if (control_json_get(&obj, key, &obj) < 0)
			return -1;
		path = dot + 1;
	}
	if (control_json_get(&obj, path, &v) < 0 || control_json_u64(&v, &n) < 0)
		return -1;
	return (int64_t)n;
}

static bool has(struct t *t, const char *key)
{
	struct control_json v;

	return control_json_get(&t->answer, key, &v) == 0;
}

/* The answer failed with an error message holding PART. */
static bool failed_with(struct t *t, const char *part)
{
	struct control_json v;
	char msg[256];

	if (control_json_get(&t->answer, "ok", &v) < 0 || control_json_true(&v) ||
	    control_json_get(&t->answer, "error", &v) < 0)
		return false;
	control_json_string(&v, msg, sizeof(msg));
	if (!strstr(msg, part))
		printf("  error '%s' lacks '%s'\n", msg, part);
	return strstr(msg, part) != NULL;
}

static void info_before_the_driver(void)
{
	struct t t;

	t_init(&t, true);
	ask(&t, "info balloon");
	CHECK(strstr(t.line, "{\"ok\":true,\"command\":\"info balloon\",\"ready\":false,") == t.line);
	CHECK(num(&t, "memory") == (int64_t)RAM && num(&t, "target") == (int64_t)RAM &&
	      num(&t, "actual") == (int64_t)RAM && num(&t, "in_balloon") == 0);
	/* No statistics yet: no stats member rather than zeroes that look real. */
	CHECK(!has(&t, "stats"));
	CHECK(num(&t, "counters.inflated") == 0 && num(&t, "counters.bad_pfns") == 0);
	t_free(&t);
}

static void balloon_then_the_driver(void)
{
	struct t t;

	t_init(&t, true);
	ask(&t, "balloon 32M");
	CHECK(num(&t, "target") == 32 << 20 && num(&t, "actual") == (int64_t)RAM);
	CHECK(vdrv_rd(&t.dev, CONFIG) == (32 << 20) / 4096);
	/* The driver got there: actual follows what it wrote, and how long it took is known. */
	vdrv_wr(&t.dev, CONFIG + 4, (32 << 20) / 4096);
	ask(&t, "info balloon");
	CHECK(num(&t, "target") == 32 << 20 && num(&t, "actual") == 32 << 20);
	CHECK(num(&t, "reached_ms") >= 0);
	/* Rounded so the guest keeps at least what was asked: one byte over 32M is a page more. */
	ask(&t, "balloon 33554433");
	CHECK(num(&t, "target") == (32 << 20) + 4096);
	ask(&t, "info balloon");
	CHECK(!has(&t, "reached_ms"));
	/* All of RAM back: no balloon at all. */
	ask(&t, "balloon 64M");
	CHECK(num(&t, "target") == (int64_t)RAM && vdrv_rd(&t.dev, CONFIG) == 0);
	t_free(&t);
}

static void bad_sizes(void)
{
	struct t t;

	t_init(&t, true);
	ask(&t, "balloon 32M");
	ask(&t, "balloon 65M");
	CHECK(failed_with(&t, "more than the VM's memory (64 MiB)"));
	ask(&t, "balloon 1T");
	CHECK(failed_with(&t, "more than the VM's memory"));
	ask(&t, "balloon 1023K");
	CHECK(failed_with(&t, "less than the smallest guest, 1M"));
	ask(&t, "balloon 1");
	CHECK(failed_with(&t, "less than"));
	/* The parser's refusals come first: no size, 0, garbage. */
	ask(&t, "balloon");
	CHECK(failed_with(&t, ""));
	ask(&t, "balloon 0");
	CHECK(failed_with(&t, ""));
	ask(&t, "balloon -5M");
	CHECK(failed_with(&t, ""));
	/* None of them moved the target. */
	ask(&t, "info balloon");
	CHECK(num(&t, "target") == 32 << 20);
	ask(&t, "balloon 1M");
	CHECK(num(&t, "target") == 1 << 20);
	t_free(&t);
}

static void stats(void)
{
	struct t t;

	t_init(&t, true);
	/* What the stats queue leaves after a buffer with free and total memory (test_virtio_balloon). */
	t.b.stats.present = 1u << VIRTIO_BALLOON_S_MEMFREE | 1u << VIRTIO_BALLOON_S_MEMTOT |
			    1u << VIRTIO_BALLOON_S_MAJFLT;
	t.b.stats.val[VIRTIO_BALLOON_S_MEMFREE] = 40 << 20;
	t.b.stats.val[VIRTIO_BALLOON_S_MEMTOT] = 60 << 20;
	t.b.stats.val[VIRTIO_BALLOON_S_MAJFLT] = 7;
	t.b.counters.stats_updates = 1;
	clock_gettime(CLOCK_MONOTONIC, &t.b.stats_at);
	ask(&t, "info balloon");
	CHECK(num(&t, "stats.free_memory") == 40 << 20 && num(&t, "stats.total_memory") == 60 << 20);
	CHECK(num(&t, "stats.major_faults") == 7 && num(&t, "stats.age_ms") >= 0);
	/* Tags the guest did not send are left out. */
	CHECK(num(&t, "stats.swap_in") == -1 && num(&t, "stats.available_memory") == -1);
	CHECK(num(&t, "counters.stats_updates") == 1);
	t_free(&t);
}

static void no_balloon(void)
{
	struct t t;

	t_init(&t, false);
	ask(&t, "info balloon");
	CHECK(failed_with(&t, "this VM has no balloon ([balloon] enabled = false)"));
	ask(&t, "balloon 32M");
	CHECK(failed_with(&t, "no balloon"));
	CHECK(vdrv_rd(&t.dev, CONFIG) == 0);
	t_free(&t);
}

/* What capsule ctl prints for the answer in T. */
static const char *human(struct t *t)
{
	static char out[1024];
	FILE *f = fmemopen(out, sizeof(out), "w");

	out[0] = '\0';
	control_human_print(f, &t->answer);
	fclose(f);
	return out;
}

static void human_text(void)
{
	struct t t;

	t_init(&t, true);
	ask(&t, "info balloon");
	CHECK_STR(human(&t), "balloon: actual=64M target=64M memory=64M (the guest's driver is not up)\n");
	ask(&t, "balloon 48M");
	CHECK_STR(human(&t), "balloon: actual=64M target=48M memory=64M (the guest's driver is not up)\n");
	t.b.active = true;	/* as after DRIVER_OK */
	vdrv_wr(&t.dev, CONFIG + 4, (16 << 20) / 4096);
	t.b.stats.present = 1u << VIRTIO_BALLOON_S_MEMFREE | 1u << VIRTIO_BALLOON_S_MINFLT;
	t.b.stats.val[VIRTIO_BALLOON_S_MEMFREE] = (20 << 20) + 5;
	t.b.stats.val[VIRTIO_BALLOON_S_MINFLT] = 1234;
	t.b.counters.stats_updates = 1;
	clock_gettime(CLOCK_MONOTONIC, &t.b.stats_at);
	t.b.stats_at.tv_sec -= 3;
	ask(&t, "info balloon");
	CHECK_STR(human(&t), "balloon: actual=48M target=48M memory=64M\n"
		  "  guest stats, 3 s old: minor_faults=1234 free_memory=20M\n");
	t_free(&t);
}

int main(void)
{
	RUN(info_before_the_driver);
	RUN(balloon_then_the_driver);
	RUN(bad_sizes);
	RUN(stats);
	RUN(no_balloon);
	RUN(human_text);
	return CHECK_SUMMARY();
}
