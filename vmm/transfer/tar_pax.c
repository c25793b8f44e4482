/* pax extended headers ('x'): "LEN key=value\n" records, of which path, linkpath, size and mtime count. */
#include <string.h>

#include "transfer/tar_read.h"

/* A decimal number of N bytes, nothing else in it, at most INT64_MAX. */
static bool decimal(const char *s, size_t n, uint64_t *v)
{
	uint64_t u = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || u > (UINT64_C(0x7fffffffffffffff) - 9) / 10)
			return false;
		u = u * 10 + (uint64_t)(s[i] - '0');
	}
	*v = u;
	return true;
}

/* pax mtime: [-]SECONDS[.FRACTION]; the fraction is dropped. */
static bool seconds(const char *s, size_t n, int64_t *v)
{
	bool neg = n && s[0] == '-';
	const char *dot = memchr(s, '.', n);
	size_t whole = dot ? (size_t)(dot - s) : n;
	uint64_t u;

	for (size_t i = whole + 1; dot && i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	if (!decimal(s + neg, whole - neg, &u))
		return false;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return true;
}

/* A path or link target: 1..TAR_NAME_MAX bytes (a link target may be empty: refused later), no NUL. */
static bool text(char *dst, size_t *len, const char *s, size_t n, bool may_be_empty)
{
	if ((!n && !may_be_empty) || n > TAR_NAME_MAX || memchr(s, 0, n))
		return false;
	memcpy(dst, s, n);
	dst[n] = 0;
	*len = n;
	return true;
}

/* One record's KEY (KLEN bytes) = VALUE (VLEN bytes). */
static bool record(struct tar_reader *r, const char *key, size_t klen, const char *value,
		   size_t vlen)
{
	if (klen == 4 && !memcmp(key, "path", 4))
		return r->has_name = text(r->name, &r->name_len, value, vlen, false);
	if (klen == 8 && !memcmp(key, "linkpath", 8))
		return r->has_link = text(r->link, &r->link_len, value, vlen, true);
	if (klen == 4 && !memcmp(key, "size", 4))
		return r->has_size = decimal(value, vlen, &r->pax_size);
	if (klen == 5 && !memcmp(key, "mtime", 5))
		return r->has_mtime = seconds(value, vlen, &r->pax_mtime);
	return true;
}

int tar_pax_parse(struct tar_reader *r, const char *s, size_t n)
{
	size_t off = 0;

	while (off < n) {
		const char *rec = s + off, *sp, *eq;
		size_t avail = n - off, digits;
		uint64_t len;

		/* NULs after the last record (some writers pad so), and nothing else. */
		if (!*rec) {
			while (off < n && !s[off])
				off++;
			if (off < n)
				goto bad;
			break;
		}
		sp = memchr(rec, ' ', avail < 20 ? avail : 20);
		digits = sp ? (size_t)(sp - rec) : 0;
		if (!sp || !decimal(rec, digits, &len) || len <= digits + 1 || len > avail ||
		    rec[len - 1] != '\n')
			goto bad;
		eq = memchr(sp + 1, '=', (size_t)len - digits - 2);
		if (!eq || eq == sp + 1)
			goto bad;
		if (!record(r, sp + 1, (size_t)(eq - sp - 1), eq + 1, (size_t)(rec + len - 1 - eq - 1)))
			goto bad;
		off += (size_t)len;
	}
	return 0;
bad:
	tar_read_fail(r, "archive byte %llu: a bad pax header", (unsigned long long)r->offset);
	return -1;
}
