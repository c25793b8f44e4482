/* A small JSON reader for control answers: checks a line, finds members, reads values. */
#ifndef CAPSULE_CONTROL_JSON_H
#define CAPSULE_CONTROL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_JSON_DEPTH 16	/* deeper nesting is refused */

/* One JSON value inside a text: its bytes and its kind. */
struct control_json {
	const char *p;
	size_t len;
	char kind;		/* '{' '[' '"' 'n'umber 't'rue 'f'alse 'z' (null) */
};

/*
 * Whether the LEN bytes at TEXT are one JSON object (RFC 8259, UTF-8,
 * white space around it allowed), nested at most CONTROL_JSON_DEPTH deep;
 * 0 with OUT set to it, or -1. Every other function takes values found
 * through it, which are known to be well-formed.
 */
int control_json_parse(const char *text, size_t len, struct control_json *out);

/*
 * Step through the members of object OBJ (or, KEY NULL, the elements of
 * array OBJ): *POS starts at 0. Returns 1 with the next KEY (a string
 * value) and VALUE, or 0 at the end.
 */
int control_json_next(const struct control_json *obj, size_t *pos, struct control_json *key,
		      struct control_json *value);

/* The member KEY of object OBJ (the first, if repeated): 0 with OUT, or -1. */
int control_json_get(const struct control_json *obj, const char *key, struct control_json *out);

/*
 * String V unescaped into BUF (SIZE bytes, always terminated; cut short
 * when it does not fit, and a NUL written as \u0000 ends it early).
 * 0, or -1 when V is not a string.
 */
int control_json_string(const struct control_json *v, char *buf, size_t size);

/* Number V as an unsigned integer (no sign, fraction or exponent, fits 64 bits): 0 or -1. */
int control_json_u64(const struct control_json *v, uint64_t *out);

/* Whether V is true. */
bool control_json_true(const struct control_json *v);

#endif
