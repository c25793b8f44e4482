/* The ustar header layout both directions share, and its numeric fields (octal or GNU base-256). */
#include "transfer/tar_format.h"

#include <stdio.h>
#include <string.h>

unsigned tar_checksum(const unsigned char *hdr)
{
	unsigned sum = 0;

	for (int i = 0; i < TAR_BLOCK; i++)
		sum += i >= TAR_CHKSUM && i < TAR_CHKSUM + 8 ? ' ' : hdr[i];
	return sum;
}

int tar_checksum_signed(const unsigned char *hdr)
{
	int sum = 0;

	for (int i = 0; i < TAR_BLOCK; i++)
		sum += i >= TAR_CHKSUM && i < TAR_CHKSUM + 8 ? ' ' : (signed char)hdr[i];
	return sum;
}

void tar_put_number(unsigned char *f, size_t len, uint64_t v)
{
	/* len - 1 octal digits and a NUL hold values below 8^(len-1). */
	if ((len - 1) * 3 >= 64 || v < (uint64_t)1 << ((len - 1) * 3)) {
		for (size_t i = len - 1; i-- > 0; v >>= 3)
			f[i] = (unsigned char)('0' + (v & 7));
		f[len - 1] = 0;
		return;
	}
	memset(f, 0, len);
	f[0] = 0x80;
	for (size_t i = len - 1; i > 0 && v; i--, v >>= 8)
		f[i] = (unsigned char)(v & 0xff);
}

/* GNU base-256: two's complement over the whole field, the first byte 0x80 or 0xff. */
static bool get_base256(const unsigned char *f, size_t len, int64_t *v)
{
	bool neg = f[0] == 0xff;
	uint64_t u = neg ? ~(uint64_t)0 : 0;
	unsigned char fill = neg ? 0xff : 0;

	if (f[0] != 0x80 && f[0] != 0xff)
		return false;
	/* Bytes beyond the last 8 only repeat the sign. */
	for (size_t i = 1; i + 8 < len; i++)
		if (f[i] != fill)
			return false;
	for (size_t i = len > 8 ? len - 8 : 1; i < len; i++)
		u = u << 8 | f[i];
	/* The sign of the int64_t must be the field's. */
	if (neg != ((int64_t)u < 0))
		return false;
	*v = (int64_t)u;
	return true;
}

bool tar_get_number(const unsigned char *f, size_t len, int64_t *v)
{
	uint64_t u = 0;
	size_t i = 0, digits = 0;

	if (f[0] & 0x80)
		return get_base256(f, len, v);
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (u >> 60)
			return false;	/* would pass 2^63 */
		u = u << 3 | (unsigned)(f[i] - '0');
	}
	if (!digits)
		return false;
	for (; i < len; i++)
		if (f[i] != 0 && f[i] != ' ')
			return false;
	*v = (int64_t)u;
	return true;
}

void tar_put_text(unsigned char *f, size_t len, const char *s, size_t n)
{
	memset(f, 0, len);
	memcpy(f, s, n < len ? n : len);
}

void tar_printable(char *out, size_t outlen, const char *name, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 8 < outlen; i++) {
		unsigned char c = (unsigned char)name[i];

		if (o >= 200) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		}
	}
	if (outlen)
		out[o < outlen ? o : outlen - 1] = 0;
}
