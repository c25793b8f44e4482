/* UTF-8 checks for the control protocol: requests must be UTF-8, and JSON answers always are. */
#include "control/control_utf8.h"

#include <stdint.h>

/* Bytes 2..N of a sequence: 10xxxxxx each. */
static int continuation(const unsigned char *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return 1;
}

size_t control_utf8_char(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n;

	if (!len)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;	/* a continuation byte, 0xc0/0xc1 (always overlong) or 0xf5.. */
	if (len < n || !continuation(p, n))
		return 0;
	if (n == 2)
		return 2;
	if (n == 3) {
		c = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 3 : 0;
	}
	c = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
	    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	return c >= 0x10000 && c <= 0x10ffff ? 4 : 0;
}

size_t control_utf8_prefix(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len && (n = control_utf8_char(s + i, len - i)))
		i += n;
	return i;
}
