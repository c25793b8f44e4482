/* The config file's [control] section: whether the VM has a control socket, and where. */
#include <stdio.h>
#include <string.h>

#include "config_schema.h"
#include "control/control_path.h"

static int set_enabled(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	(void)base_dir;
	return config_value_bool(value, &((struct config *)target)->control, why, n);
}

/* A path for a socket: relative to the config file's directory; it need not exist yet. */
static int set_socket(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;
	char path[PATH_MAX];
	int len;

	if (!*value || value[strlen(value) - 1] == '/') {
		snprintf(why, n, "'%s' is not a file path", value);
		return -1;
	}
	if (value[0] == '/' || !base_dir)
		len = snprintf(path, sizeof(path), "%s", value);
	else
		len = snprintf(path, sizeof(path), "%s/%s", base_dir, value);
	if (len < 0 || len > CONTROL_PATH_MAX) {
		snprintf(why, n, "'%s' is longer than a socket address holds (%d bytes)",
			 len > 0 && (size_t)len < sizeof(path) ? path : value, CONTROL_PATH_MAX);
		return -1;
	}
	strcpy(cfg->control_socket, path);
	return 0;
}

const struct config_key config_control_keys[] = {
	{ "enabled", set_enabled },
	{ "socket", set_socket },
	{ NULL, NULL },
};

void *config_open_control(struct config *cfg, const char *instance, char *why, size_t whylen)
{
	(void)instance;
	(void)why;
	(void)whylen;
	return cfg;
}
