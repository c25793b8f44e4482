/* A small JSON reader for control answers: checks a line, finds members, reads values. */
#include "control/control_json.h"

#include <string.h>

#include "control/control_utf8.h"

struct cursor {
	const char *p, *end;
};

static int value(struct cursor *c, unsigned depth, struct control_json *out);

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool at(const struct cursor *c, char ch)
{
	return c->p < c->end && *c->p == ch;
}

static int hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* \uXXXX's four digits at P (4 bytes there): the code unit, or -1. */
static long hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		if (hex(p[i]) < 0)
			return -1;
		v = v << 4 | hex(p[i]);
	}
	return v;
}

static int string(struct cursor *c)
{
	size_t n;

	c->p++;
	while (c->p < c->end && *c->p != '"') {
		if ((unsigned char)*c->p < 0x20)
			return -1;
		if (*c->p == '\\') {
			if (c->end - c->p < 2)
				return -1;
			if (c->p[1] == 'u') {
				if (c->end - c->p < 6 || hex4(c->p + 2) < 0)
					return -1;
				c->p += 6;
			} else if (strchr("\"\\/bfnrt", c->p[1]) && c->p[1]) {
				c->p += 2;
			} else {
				return -1;
			}
			continue;
		}
		n = control_utf8_char(c->p, (size_t)(c->end - c->p));
		if (!n)
			return -1;
		c->p += n;
	}
	if (!at(c, '"'))
		return -1;
	c->p++;
	return 0;
}

static int digits(struct cursor *c)
{
	const char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start ? 0 : -1;
}

/* -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
static int number(struct cursor *c)
{
	if (at(c, '-'))
		c->p++;
	if (at(c, '0'))
		c->p++;
	else if (digits(c) < 0)
		return -1;
	if (at(c, '.')) {
		c->p++;
		if (digits(c) < 0)
			return -1;
	}
	if (at(c, 'e') || at(c, 'E')) {
		c->p++;
		if (at(c, '+') || at(c, '-'))
			c->p++;
		if (digits(c) < 0)
			return -1;
	}
	return 0;
}

static int literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return -1;
	c->p += n;
	return 0;
}

/* An object's members or an array's elements, up to the closing CLOSE. */
static int container(struct cursor *c, unsigned depth, char close)
{
	struct control_json v;
	bool first = true;

	if (depth >= CONTROL_JSON_DEPTH)
		return -1;
	c->p++;
	for (;;) {
		skip_space(c);
		if (at(c, close) && first)
			break;
		if (!first) {
			if (at(c, close))
				break;
			if (!at(c, ','))
				return -1;
			c->p++;
			skip_space(c);
		}
		first = false;
		if (close == '}') {
			if (!at(c, '"') || string(c) < 0)
				return -1;
			skip_space(c);
			if (!at(c, ':'))
				return -1;
			c->p++;
			skip_space(c);
		}
		if (value(c, depth + 1, &v) < 0)
			return -1;
	}
	c->p++;
	return 0;
}

static int value(struct cursor *c, unsigned depth, struct control_json *out)
{
	int ret;

	if (c->p >= c->end)
		return -1;
	out->p = c->p;
	out->kind = *c->p;
	switch (*c->p) {
	case '{': ret = container(c, depth, '}'); break;
	case '[': ret = container(c, depth, ']'); break;
	case '"': ret = string(c); break;
	case 't': ret = literal(c, "true"); break;
	case 'f': ret = literal(c, "false"); break;
	case 'n': ret = literal(c, "null"); out->kind = 'z'; break;
	default:
		out->kind = 'n';
		ret = number(c);
	}
	out->len = (size_t)(c->p - out->p);
	return ret;
}

int control_json_parse(const char *text, size_t len, struct control_json *out)
{
	struct cursor c = { text, text + len };

	skip_space(&c);
	if (!at(&c, '{') || value(&c, 0, out) < 0)
		return -1;
	skip_space(&c);
	return c.p == c.end ? 0 : -1;
}

int control_json_next(const struct control_json *obj, size_t *pos, struct control_json *key,
		      struct control_json *val)
{
	struct cursor c = { obj->p + *pos, obj->p + obj->len };
	char close = obj->kind == '{' ? '}' : ']';

	if (obj->kind != '{' && obj->kind != '[')
		return 0;
	if (*pos == 0)
		c.p++;
	skip_space(&c);
	if (at(&c, ','))
		c.p++;
	skip_space(&c);
	if (c.p >= c.end || at(&c, close))
		return 0;
	if (close == '}') {
		if (value(&c, 0, key) < 0)
			return 0;
		skip_space(&c);
		c.p++;	/* the ':' */
		skip_space(&c);
	}
	if (value(&c, 0, val) < 0)
		return 0;
	*pos = (size_t)(c.p - obj->p);
	return 1;
}

int control_json_get(const struct control_json *obj, const char *key, struct control_json *out)
{
	struct control_json k, v;
	size_t pos = 0;
	char name[64];

	if (obj->kind != '{')
		return -1;
	while (control_json_next(obj, &pos, &k, &v)) {
		control_json_string(&k, name, sizeof(name));
		if (!strcmp(name, key)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Code point CP as UTF-8 into B: its length. */
static size_t utf8_encode(unsigned long cp, char *b)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | cp >> 18);
	b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The code point of the \u escape at *P (one or a surrogate pair), P moved past it. */
static unsigned long unicode_escape(const char **p, const char *end)
{
	unsigned long hi = (unsigned long)hex4(*p + 2), lo;

	*p += 6;
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi > 0xdbff || end - *p < 6 || (*p)[0] != '\\' || (*p)[1] != 'u')
		return 0xfffd;	/* a lone surrogate */
	lo = (unsigned long)hex4(*p + 2);
	if (lo < 0xdc00 || lo > 0xdfff)
		return 0xfffd;
	*p += 6;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* The next character of string contents at *P (an escape or raw bytes) into B: its length, 0 for \u0000. */
static size_t next_char(const char **p, const char *end, char *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t n;

	if (**p != '\\') {
		n = control_utf8_char(*p, (size_t)(end - *p));
		n = n ? n : 1;	/* control_json_parse() let no such byte through */
		memcpy(b, *p, n);
		*p += n;
		return n;
	}
	if ((*p)[1] == 'u') {
		unsigned long cp = unicode_escape(p, end);

		return cp ? utf8_encode(cp, b) : 0;
	}
	b[0] = to[strchr(from, (*p)[1]) - from];
	*p += 2;
	return 1;
}

int control_json_string(const struct control_json *v, char *buf, size_t size)
{
	const char *p = v->p + 1, *end = v->p + v->len - 1;
	size_t used = 0, n;
	char b[4];

	if (v->kind != '"' || !size)
		return -1;
	/* Whole characters only: one that does not fit ends the copy. */
	while (p < end && (n = next_char(&p, end, b)) && used + n < size) {
		memcpy(buf + used, b, n);
		used += n;
	}
	buf[used] = '\0';
	return 0;
}

int control_json_u64(const struct control_json *v, uint64_t *out)
{
	uint64_t x = 0;

	if (v->kind != 'n' || !v->len)
		return -1;
	for (size_t i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->p[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

bool control_json_true(const struct control_json *v)
{
	return v->kind == 't';
}
