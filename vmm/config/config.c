/* The appliance configuration: the INI-style parser; the sections themselves are in config_sections.c. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_schema.h"

#define CONFIG_FILE_MAX (1 << 20)
#define SECTIONS_PER_FILE_MAX 64

/* Where the parser is inside one file. */
struct parse_state {
	struct config *cfg;
	const char *name;
	const char *base_dir;
	unsigned line;
	const struct config_section *section;
	void *target;
	unsigned section_line;	/* where the current section began */
	unsigned keys_seen;	/* bit per key of the current section */
	const struct config_section *seen[SECTIONS_PER_FILE_MAX];
	unsigned nseen;
	char *err;
	size_t errlen;
};

static int error_at(struct parse_state *ps, unsigned line, const char *fmt, const char *a,
		    const char *b)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, a, b);
	snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->name, line, msg);
	return -1;
}

static int parse_error(struct parse_state *ps, const char *fmt, const char *a, const char *b)
{
	return error_at(ps, ps->line, fmt, a, b);
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

/* Run the section's end-of-section checks, reported at its header line. */
static int close_section(struct parse_state *ps)
{
	char why[400];

	if (ps->section && ps->section->close && ps->section->close(ps->target, why, sizeof(why)) < 0)
		return error_at(ps, ps->section_line, "%s", why, NULL);
	ps->section = NULL;
	return 0;
}

static bool valid_instance(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CONFIG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

/* The section named NAME ("disk" of "[disk root]"), or NULL. */
static const struct config_section *find_section(const char *name)
{
	const struct config_section *sec;

	for (sec = config_sections; sec->name; sec++)
		if (!strcmp(sec->name, name))
			return sec;
	return NULL;
}

static int open_section(struct parse_state *ps, const struct config_section *sec,
			const char *name, const char *instance)
{
	char why[400];

	if (sec->named && !*instance)
		return parse_error(ps, "section [%s] needs a name: [%s NAME]", name, name);
	if (!sec->named && *instance)
		return parse_error(ps, "section [%s] takes no name", name, NULL);
	if (sec->named && !valid_instance(instance))
		return parse_error(ps, "bad name '%s' (letters, digits, '-' and '_', at most 31)",
				   instance, NULL);
	for (unsigned i = 0; !sec->named && i < ps->nseen; i++)
		if (ps->seen[i] == sec)
			return parse_error(ps, "section [%s] appears twice", name, NULL);
	if (ps->nseen == SECTIONS_PER_FILE_MAX)
		return parse_error(ps, "too many sections", NULL, NULL);
	ps->target = sec->open(ps->cfg, instance, why, sizeof(why));
	if (!ps->target)
		return parse_error(ps, "%s", why, NULL);
	ps->seen[ps->nseen++] = sec;
	ps->section = sec;
	ps->section_line = ps->line;
	ps->keys_seen = 0;
	return 0;
}

static int parse_section(struct parse_state *ps, char *line)
{
	char *close = strchr(line, ']'), *name, *instance;
	const struct config_section *sec;

	if (!close || *trim(close + 1))
		return parse_error(ps, "malformed section header '%s' (expected [name])", line, NULL);
	if (close_section(ps) < 0)
		return -1;
	*close = '\0';
	name = trim(line + 1);
	instance = name + strcspn(name, " \t");
	if (*instance)
		*instance++ = '\0';
	instance = trim(instance);
	sec = find_section(name);
	if (!sec)
		return parse_error(ps, "unknown section [%s]", name, NULL);
	return open_section(ps, sec, name, instance);
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
	return close_section(&ps);
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
