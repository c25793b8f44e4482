/* The incremental ustar reader (copy-out): hostile bytes in, checked members out. */
#include "transfer/tar_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tar_read_init(struct tar_reader *r, const struct tar_read_ops *ops, void *ctx, char *err,
		   size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	r->err = err;
	r->errlen = errlen;
	if (errlen)
		err[0] = 0;
}

void tar_read_fail(struct tar_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->state != TAR_R_FAILED && r->errlen && !r->err[0]) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	r->state = TAR_R_FAILED;
}

/* A header that passed its checksum but says something wrong: named by its own name field. */
static void fail_header(struct tar_reader *r, const char *why)
{
	char shown[256];

	tar_printable(shown, sizeof(shown), (const char *)r->block + TAR_NAME,
		      strnlen((const char *)r->block + TAR_NAME, TAR_NAME_LEN));
	tar_read_fail(r, "member '%s': %s", shown, why);
}

static bool all_zero(const unsigned char *b)
{
	for (int i = 0; i < TAR_BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

/* The header's own name: POSIX puts what does not fit in 100 bytes in its prefix field. */
static size_t header_name(struct tar_reader *r, bool posix)
{
	const char *b = (const char *)r->block;
	size_t plen = posix ? strnlen(b + TAR_PREFIX, TAR_PREFIX_LEN) : 0;
	size_t nlen = strnlen(b + TAR_NAME, TAR_NAME_LEN), len = 0;

	if (plen) {
		memcpy(r->hdr_name, b + TAR_PREFIX, plen);
		r->hdr_name[plen] = '/';
		len = plen + 1;
	}
	memcpy(r->hdr_name + len, b + TAR_NAME, nlen);
	len += nlen;
	r->hdr_name[len] = 0;
	return len;
}

/* A real member's header: the meta entries before it applied, then handed to begin(). */
static void member_header(struct tar_reader *r, bool posix, int64_t size)
{
	struct tar_member *m = &r->member;
	const char *b = (const char *)r->block;
	int64_t mode, mtime;
	int take;

	if (!tar_get_number(r->block + TAR_MODE, 8, &mode) || mode < 0) {
		fail_header(r, "bad mode field");
		return;
	}
	if (!tar_get_number(r->block + TAR_MTIME, 12, &mtime)) {
		fail_header(r, "bad mtime field");
		return;
	}
	*m = (struct tar_member){ .type = (char)r->block[TAR_TYPE], .mode = (unsigned)mode & 07777,
				  .mtime = r->has_mtime ? r->pax_mtime : mtime,
				  .size = r->has_size ? r->pax_size : (uint64_t)size };
	if (r->has_name) {
		m->name = r->name;
		m->name_len = r->name_len;
	} else {
		m->name = r->hdr_name;
		m->name_len = header_name(r, posix);
	}
	if (r->has_link) {
		m->link = r->link;
		m->link_len = r->link_len;
	} else {
		m->link_len = strnlen(b + TAR_LINKNAME, TAR_NAME_LEN);
		memcpy(r->hdr_link, b + TAR_LINKNAME, m->link_len);
		r->hdr_link[m->link_len] = 0;
		m->link = r->hdr_link;
	}
	r->has_name = r->has_link = r->has_size = r->has_mtime = false;
	if (!m->name_len) {
		tar_read_fail(r, "archive byte %llu: a member without a name",
			      (unsigned long long)r->offset);
		return;
	}
	take = r->ops->begin(r->ctx, m);
	if (take < 0)
		tar_read_fail(r, "member: refused");	/* begin() said why already */
	r->sink = take > 0 ? TAR_SINK_MEMBER : TAR_SINK_SKIP;
}

/* A meta entry: its data is kept for the member after it, within bounds. */
static void meta_header(struct tar_reader *r, char type, int64_t size)
{
	size_t max = type == TAR_PAX_LOCAL ? TAR_META_MAX : TAR_NAME_MAX + 1;

	if (size < 1 || (uint64_t)size > max) {
		fail_header(r, type == TAR_PAX_LOCAL ? "a pax header of a bad size"
			    : "a GNU long name of a bad size");
		return;
	}
	r->sink = type == TAR_PAX_LOCAL ? TAR_SINK_PAX
		: type == TAR_GNU_LONGNAME ? TAR_SINK_LONGNAME : TAR_SINK_LONGLINK;
	r->meta_len = 0;
}

static void header(struct tar_reader *r)
{
	const unsigned char *b = r->block;
	bool posix = !memcmp(b + TAR_MAGIC, "ustar", 6);
	bool gnu = !memcmp(b + TAR_MAGIC, "ustar  ", 8);
	unsigned want = tar_checksum(b);
	int64_t sum, size;
	char type = (char)b[TAR_TYPE];

	if (all_zero(b)) {
		if (++r->zero_blocks == 2)
			r->state = TAR_R_END;
		return;
	}
	if (r->zero_blocks) {
		tar_read_fail(r, "archive byte %llu: a zero block inside the archive",
			      (unsigned long long)r->offset - TAR_BLOCK);
		return;
	}
	if (!tar_get_number(b + TAR_CHKSUM, 8, &sum) ||
	    (sum != want && sum != tar_checksum_signed(b))) {
		tar_read_fail(r, "archive byte %llu: bad header checksum",
			      (unsigned long long)r->offset - TAR_BLOCK);
		return;
	}
	if (!posix && !gnu) {
		fail_header(r, "not a ustar header");
		return;
	}
	if (!tar_get_number(b + TAR_SIZE, 12, &size) || size < 0) {
		fail_header(r, "bad size field");
		return;
	}
	if (type == TAR_GNU_LONGNAME || type == TAR_GNU_LONGLINK || type == TAR_PAX_LOCAL)
		meta_header(r, type, size);
	else if (type == TAR_PAX_GLOBAL)
		r->sink = TAR_SINK_SKIP;
	else
		member_header(r, posix, size);
	if (r->state == TAR_R_FAILED)
		return;
	r->left = r->sink == TAR_SINK_MEMBER || r->sink == TAR_SINK_SKIP
		? (type == TAR_PAX_GLOBAL ? (uint64_t)size : r->member.size) : (uint64_t)size;
	r->pad = (size_t)((TAR_BLOCK - r->left % TAR_BLOCK) % TAR_BLOCK);
	r->state = TAR_R_DATA;
}

/* A GNU long name or link: its NULs at the end dropped, none left inside. */
static void long_text(struct tar_reader *r, char *dst, size_t *len, bool *has)
{
	size_t n = r->meta_len;

	while (n && !r->meta[n - 1])
		n--;
	if (!n || n > TAR_NAME_MAX || memchr(r->meta, 0, n)) {
		tar_read_fail(r, "archive byte %llu: a bad GNU long name",
			      (unsigned long long)r->offset);
		return;
	}
	memcpy(dst, r->meta, n);
	dst[n] = 0;
	*len = n;
	*has = true;
}

/* The current entry's data has all come. */
static void entry_done(struct tar_reader *r)
{
	r->state = TAR_R_HEADER;
	switch (r->sink) {
	case TAR_SINK_MEMBER:
		if (r->ops->end(r->ctx) < 0)
			tar_read_fail(r, "member: failed");
		break;
	case TAR_SINK_LONGNAME:
		long_text(r, r->name, &r->name_len, &r->has_name);
		break;
	case TAR_SINK_LONGLINK:
		long_text(r, r->link, &r->link_len, &r->has_link);
		break;
	case TAR_SINK_PAX:
		tar_pax_parse(r, r->meta, r->meta_len);
		break;
	case TAR_SINK_SKIP:
		break;
	}
}

static void data(struct tar_reader *r, const unsigned char *p, size_t n)
{
	if (r->sink == TAR_SINK_MEMBER) {
		if (r->ops->data(r->ctx, p, n) < 0)
			tar_read_fail(r, "member: failed");
	} else if (r->sink != TAR_SINK_SKIP) {
		memcpy(r->meta + r->meta_len, p, n);	/* bounded by meta_header() */
		r->meta_len += n;
	}
}

int tar_read_feed(struct tar_reader *r, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len && r->state != TAR_R_FAILED && r->state != TAR_R_END) {
		size_t take;

		if (r->state == TAR_R_HEADER) {
			take = TAR_BLOCK - r->fill < len ? TAR_BLOCK - r->fill : len;
			memcpy(r->block + r->fill, p, take);
			r->fill += take;
		} else if (r->left) {
			take = r->left < len ? (size_t)r->left : len;
		} else {
			take = r->pad < len ? r->pad : len;
		}
		p += take;
		len -= take;
		r->offset += take;
		if (r->state == TAR_R_HEADER) {
			if (r->fill == TAR_BLOCK) {
				r->fill = 0;
				header(r);
			}
		} else if (r->left) {
			data(r, p - take, take);
			r->left -= take;
		} else {
			r->pad -= take;
		}
		if (r->state == TAR_R_DATA && !r->left && !r->pad)
			entry_done(r);
	}
	r->offset += len;	/* after the end or a failure: taken and dropped */
	return r->state == TAR_R_FAILED ? -1 : 0;
}

int tar_read_finish(struct tar_reader *r)
{
	if (r->state == TAR_R_FAILED)
		return -1;
	if (r->state != TAR_R_END) {
		tar_read_fail(r, "the archive ends early (at byte %llu, without its end blocks)",
			      (unsigned long long)r->offset);
		return -1;
	}
	return 0;
}
