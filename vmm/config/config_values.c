/* Parsers for config values: sizes, booleans, file paths. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_schema.h"

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

int config_value_bool(const char *value, bool *out, char *why, size_t whylen)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(value, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(value, no[i]))
			return *out = false, 0;
	}
	snprintf(why, whylen, "'%s' is not true or false", value);
	return -1;
}

/* VALUE made absolute against BASE_DIR into DST, then stat()ed (readable); 0 or -1 with WHY. */
static int value_path(char *dst, size_t dstlen, const char *value, const char *base_dir,
		      struct stat *st, char *why, size_t whylen)
{
	int len;

	if (!*value) {
		snprintf(why, whylen, "empty path");
		return -1;
	}
	if (value[0] == '/' || !base_dir)
		len = snprintf(dst, dstlen, "%s", value);
	else
		len = snprintf(dst, dstlen, "%s/%s", base_dir, value);
	if (len < 0 || (size_t)len >= dstlen) {
		snprintf(why, whylen, "path too long");
		return -1;
	}
	if (stat(dst, st) < 0 || access(dst, R_OK) < 0) {
		snprintf(why, whylen, "'%s': %s", dst, strerror(errno));
		return -1;
	}
	return 0;
}

int config_value_file(char *dst, size_t dstlen, const char *value, const char *base_dir,
		      char *why, size_t whylen)
{
	struct stat st;

	if (value_path(dst, dstlen, value, base_dir, &st, why, whylen) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		snprintf(why, whylen, "'%s' is not a regular file", dst);
		return -1;
	}
	return 0;
}

int config_value_dir(char *dst, size_t dstlen, const char *value, const char *base_dir,
		     char *why, size_t whylen)
{
	struct stat st;

	if (value_path(dst, dstlen, value, base_dir, &st, why, whylen) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "'%s' is not a directory", dst);
		return -1;
	}
	return 0;
}

int config_value_choice(const char *value, const char *const *names, char *why, size_t whylen)
{
	size_t used;
	int n = 0;

	for (; names[n]; n++)
		if (!strcmp(value, names[n]))
			return n;
	used = (size_t)snprintf(why, whylen, "'%s' is not ", value);
	for (int i = 0; i < n && used < whylen; i++)
		used += (size_t)snprintf(why + used, whylen - used, "%s%s",
					 i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
	return -1;
}
