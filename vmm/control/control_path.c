/* Where a VM's control socket lives: the default directory and a file name made from the VM's name. */
#include "control/control_path.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SIMPLE_MAX 64
#define STEM_MAX 32

static bool simple_char(char c)
{
	return isascii((unsigned char)c) && (isalnum((unsigned char)c) || c == '.' || c == '-' ||
					     c == '_');
}

static bool simple_word(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > SIMPLE_MAX || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!simple_char(*s))
			return false;
	return true;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

int control_file_name(const char *name, char *out, size_t size)
{
	const char *last = strrchr(name, '/');
	char stem[STEM_MAX + 1];
	size_t n = 0;
	int len;

	if (simple_word(name)) {
		len = snprintf(out, size, "%s.sock", name);
		return len < 0 || (size_t)len >= size ? -1 : 0;
	}
	for (const char *p = last ? last + 1 : name; *p && n < STEM_MAX; p++)
		if (simple_char(*p) && (n || *p != '.'))
			stem[n++] = *p;
	stem[n] = '\0';
	len = snprintf(out, size, "%s-%016llx.sock", n ? stem : "vm",
		       (unsigned long long)fnv1a(name));
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

int control_default_dir(const char *xdg, char *out, size_t size)
{
	int len = xdg && xdg[0] == '/' ? snprintf(out, size, "%s/capsule", xdg)
				       : snprintf(out, size, "/run/capsule");

	return len < 0 || (size_t)len >= size ? -1 : 0;
}
