/* The config file's [balloon] section: the memory balloon and what it offers the guest. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config_schema.h"

void *config_open_balloon(struct config *cfg, const char *instance, char *why, size_t n)
{
	(void)instance;
	(void)why;
	(void)n;
	return &cfg->balloon;
}

static int set_enabled(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config_balloon *)target)->enabled, why, n);
}

static int set_stats_interval(void *target, const char *value, const char *base_dir, char *why,
			      size_t n)
{
	char *end;
	long v;

	(void)base_dir;
	errno = 0;
	v = strtol(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end || errno || v > CONFIG_STATS_INTERVAL_MAX) {
		snprintf(why, n, "'%s' is not a number of seconds from 0 (off) to %d", value,
			 CONFIG_STATS_INTERVAL_MAX);
		return -1;
	}
	((struct config_balloon *)target)->stats_interval = (unsigned)v;
	return 0;
}

static int set_deflate_on_oom(void *target, const char *value, const char *base_dir, char *why,
			      size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config_balloon *)target)->deflate_on_oom, why, n);
}

static int set_free_page_reporting(void *target, const char *value, const char *base_dir,
				   char *why, size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config_balloon *)target)->free_page_reporting,
				 why, n);
}

/* Checked against [vm] memory at start, once every file is read: either may come first. */
static int set_target(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	uint64_t v;

	(void)base_dir;
	if (config_parse_size(value, &v) < 0) {
		snprintf(why, n, "'%s' is not a size (examples: 128M, 1G)", value);
		return -1;
	}
	if (v < CONFIG_BALLOON_TARGET_MIN || v > CONFIG_MEMORY_MAX) {
		snprintf(why, n, "'%s' is out of range (1M to 512G, at most [vm] memory)", value);
		return -1;
	}
	((struct config_balloon *)target)->target = v;
	return 0;
}

const struct config_key config_balloon_keys[] = {
	{ "enabled", set_enabled },
	{ "stats_interval", set_stats_interval },
	{ "deflate_on_oom", set_deflate_on_oom },
	{ "free_page_reporting", set_free_page_reporting },
	{ "target", set_target },
	{ NULL, NULL },
};
