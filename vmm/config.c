/* The appliance configuration: an INI-style file parsed into struct config. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_FILE_MAX (1 << 20)
#define SECTIONS_PER_FILE_MAX 64

/* Sets one key of a section; on a bad value returns -1 with WHY filled. */
typedef int (*config_set_fn)(void *target, const char *value, const char *base_dir,
			     char *why, size_t whylen);

struct config_key {
	const char *name;
	config_set_fn set;
};

struct config_section {
	const char *name;
	const struct config_key *keys;
	/* The object the keys write into. */
	void *(*target)(struct config *cfg);
};

int config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'T': shift += 10; /* fall through */
	case 'G': shift += 10; /* fall through */
	case 'M': shift += 10; /* fall through */
	case 'K': shift += 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	/* Accept an optional "iB"/"B" so "256MiB" and "256MB" read as expected. */
	if ((end[0] == 'i' || end[0] == 'I') && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	else if (shift && (end[0] == 'B' || end[0] == 'b'))
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int set_memory(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;
	uint64_t v;

	(void)base_dir;
	if (config_parse_size(value, &v) < 0) {
		snprintf(why, n, "'%s' is not a size (examples: 256M, 2G)", value);
		return -1;
	}
	if (v < CONFIG_MEMORY_MIN || v > CONFIG_MEMORY_MAX || v % 4096) {
		snprintf(why, n, "'%s' is out of range (32M to 512G, a multiple of 4K)", value);
		return -1;
	}
	cfg->memory = v;
	return 0;
}

static int set_vcpus(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;
	char *end;
	long v;

	(void)base_dir;
	errno = 0;
	v = strtol(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end || errno || v < 1 || v > CONFIG_VCPUS_MAX) {
		snprintf(why, n, "'%s' is not a vCPU count from 1 to %d", value, CONFIG_VCPUS_MAX);
		return -1;
	}
	cfg->vcpus = (unsigned)v;
	return 0;
}

/* Resolve VALUE against BASE_DIR and check that it names a readable regular file. */
static int set_file(char *dst, size_t dstlen, const char *value, const char *base_dir,
		    char *why, size_t n)
{
	struct stat st;
	int len;

	if (value[0] == '/' || !base_dir)
		len = snprintf(dst, dstlen, "%s", value);
	else
		len = snprintf(dst, dstlen, "%s/%s", base_dir, value);
	if (len < 0 || (size_t)len >= dstlen) {
		snprintf(why, n, "path too long");
		return -1;
	}
	if (stat(dst, &st) < 0 || access(dst, R_OK) < 0) {
		snprintf(why, n, "'%s': %s", dst, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, n, "'%s' is not a regular file", dst);
		return -1;
	}
	return 0;
}

static int set_kernel_path(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	return set_file(cfg->kernel_path, sizeof(cfg->kernel_path), value, base_dir, why, n);
}

static int set_initrd_path(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	return set_file(cfg->initrd_path, sizeof(cfg->initrd_path), value, base_dir, why, n);
}

static int set_cmdline_append(void *target, const char *value, const char *base_dir, char *why, size_t n)
{
	struct config *cfg = target;

	(void)base_dir;
	if (strlen(value) >= sizeof(cfg->cmdline_append)) {
		snprintf(why, n, "longer than %d characters", CONFIG_CMDLINE_MAX - 1);
		return -1;
	}
	strcpy(cfg->cmdline_append, value);
	return 0;
}

static void *whole_config(struct config *cfg)
{
	return cfg;
}

static const struct config_key vm_keys[] = {
	{ "memory", set_memory },
	{ "vcpus", set_vcpus },
	{ NULL, NULL },
};

static const struct config_key kernel_keys[] = {
	{ "path", set_kernel_path },
	{ "initrd", set_initrd_path },
	{ "cmdline_append", set_cmdline_append },
	{ NULL, NULL },
};

static const struct config_section sections[] = {
	{ "vm", vm_keys, whole_config },
	{ "kernel", kernel_keys, whole_config },
	{ NULL, NULL, NULL },
};

/* Where the parser is inside one file. */
struct parse_state {
	struct config *cfg;
	const char *name;
	const char *base_dir;
	unsigned line;
	const struct config_section *section;
	void *target;
	unsigned keys_seen;	/* bit per key of the current section */
	const struct config_section *seen[SECTIONS_PER_FILE_MAX];
	unsigned nseen;
	char *err;
	size_t errlen;
};

static int parse_error(struct parse_state *ps, const char *fmt, const char *a, const char *b)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, a, b);
	snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->name, ps->line, msg);
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int parse_section(struct parse_state *ps, char *line)
{
	char *close = strchr(line, ']');
	const struct config_section *sec;
	char *name;
	unsigned i;

	if (!close || *trim(close + 1))
		return parse_error(ps, "malformed section header '%s' (expected [name])", line, NULL);
	*close = '\0';
	name = trim(line + 1);
	for (sec = sections; sec->name; sec++)
		if (!strcmp(sec->name, name))
			break;
	if (!sec->name)
		return parse_error(ps, "unknown section [%s]", name, NULL);
	for (i = 0; i < ps->nseen; i++)
		if (ps->seen[i] == sec)
			return parse_error(ps, "section [%s] appears twice", name, NULL);
	if (ps->nseen == SECTIONS_PER_FILE_MAX)
		return parse_error(ps, "too many sections", NULL, NULL);
	ps->seen[ps->nseen++] = sec;
	ps->section = sec;
	ps->target = sec->target(ps->cfg);
	ps->keys_seen = 0;
	return 0;
}

static int parse_assignment(struct parse_state *ps, char *line)
{
	char *eq = strchr(line, '='), *key, *value, why[400];
	const struct config_key *k;

	if (!eq)
		return parse_error(ps, "expected 'key = value' or '[section]', got '%s'", line, NULL);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!ps->section)
		return parse_error(ps, "key '%s' outside any section", key, NULL);
	for (k = ps->section->keys; k->name; k++)
		if (!strcmp(k->name, key))
			break;
	if (!k->name)
		return parse_error(ps, "unknown key '%s' in [%s]", key, ps->section->name);
	if (ps->keys_seen & (1u << (k - ps->section->keys)))
		return parse_error(ps, "key '%s' set twice in [%s]", key, ps->section->name);
	ps->keys_seen |= 1u << (k - ps->section->keys);
	if (k->set(ps->target, value, ps->base_dir, why, sizeof(why)) < 0)
		return parse_error(ps, "%s: %s", key, why);
	return 0;
}

/* Cut a comment: '#' or ';' starting the line, or '#' after white space. */
static void strip_comment(char *line)
{
	char *p = line;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '#' || *p == ';') {
		*p = '\0';
		return;
	}
	for (; *p; p++)
		if (*p == '#' && isspace((unsigned char)p[-1])) {
			*p = '\0';
			return;
		}
}

int config_parse_text(struct config *cfg, const char *name, const char *text,
		      const char *base_dir, char *err, size_t errlen)
{
	struct parse_state ps = {
		.cfg = cfg, .name = name, .base_dir = base_dir, .err = err, .errlen = errlen,
	};
	char buf[4096];
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line;

		ps.line++;
		if (len >= sizeof(buf))
			return parse_error(&ps, "line longer than %s characters", "4095", NULL);
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (nl != NULL);
		strip_comment(buf);
		line = trim(buf);
		if (!*line)
			continue;
		if ((*line == '[' ? parse_section(&ps, line) : parse_assignment(&ps, line)) < 0)
			return -1;
	}
	return 0;
}

int config_load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	char *text, *dir, *slash;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(CONFIG_FILE_MAX + 1);
	dir = strdup(path);
	if (!text || !dir) {
		snprintf(err, errlen, "%s: out of memory", path);
		ret = -1;
		goto out;
	}
	n = read(fd, text, CONFIG_FILE_MAX + 1);
	if (n < 0 || n > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) : "file larger than 1 MiB");
		ret = -1;
		goto out;
	}
	text[n] = '\0';
	if (memchr(text, '\0', (size_t)n)) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
		ret = -1;
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	ret = config_parse_text(cfg, path, text, slash ? dir : ".", err, errlen);
out:
	free(text);
	free(dir);
	close(fd);
	return ret;
}
