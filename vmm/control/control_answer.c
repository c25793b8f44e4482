/* The control protocol's answers: one JSON object on one line, built member by member. */
#include "control/control_answer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control/control_proto.h"
#include "control/control_utf8.h"

/* Room kept for closing what is open, the newline and a NUL. */
#define CLOSING_ROOM (CONTROL_ANSWER_DEPTH + 3)

static void put(struct control_answer *a, const char *s, size_t n)
{
	if (a->broken || a->len + n > CONTROL_ANSWER_MAX - CLOSING_ROOM) {
		a->broken = true;
		return;
	}
	memcpy(a->buf + a->len, s, n);
	a->len += n;
}

static void puts_(struct control_answer *a, const char *s)
{
	put(a, s, strlen(s));
}

/* S as a JSON string: quotes, escapes, and U+FFFD for each byte that is not UTF-8. */
static void put_string(struct control_answer *a, const char *s)
{
	size_t len = strlen(s), i = 0, n;
	char esc[8];

	put(a, "\"", 1);
	while (i < len && !a->broken) {
		n = control_utf8_char(s + i, len - i);
		if (!n) {
			puts_(a, "\\ufffd");
			i++;
			continue;
		}
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = s[i];
			put(a, esc, 2);
		} else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)s[i]);
			puts_(a, esc);
		} else {
			put(a, s + i, n);
		}
		i += n;
	}
	put(a, "\"", 1);
}

/* The comma before a member or element, and the member's key. */
static void member(struct control_answer *a, const char *key)
{
	if (!a->depth) {
		a->broken = true;
		return;
	}
	if (!a->first[a->depth - 1])
		put(a, ",", 1);
	a->first[a->depth - 1] = false;
	if (key) {
		put_string(a, key);
		put(a, ":", 1);
	}
}

/* Empty A and open its object. */
static void start(struct control_answer *a, const char *command, bool ok)
{
	a->len = 0;
	a->broken = false;
	a->depth = 1;
	a->kind[0] = '{';
	a->first[0] = true;
	a->command = command;
	put(a, "{", 1);
	control_answer_bool(a, "ok", ok);
	if (command)
		control_answer_str(a, "command", command);
}

void control_answer_ok(struct control_answer *a, const char *command)
{
	a->error[0] = '\0';
	start(a, command, true);
}

void control_answer_fail(struct control_answer *a, const char *command, const char *code,
			 const char *message)
{
	start(a, command, false);
	control_answer_str(a, "code", code);
	control_answer_str(a, "error", message);
}

void control_answer_str(struct control_answer *a, const char *key, const char *value)
{
	member(a, key);
	put_string(a, value);
}

void control_answer_u64(struct control_answer *a, const char *key, uint64_t value)
{
	char num[24];

	member(a, key);
	snprintf(num, sizeof(num), "%" PRIu64, value);
	puts_(a, num);
}

void control_answer_bool(struct control_answer *a, const char *key, bool value)
{
	member(a, key);
	puts_(a, value ? "true" : "false");
}

void control_answer_open(struct control_answer *a, const char *key, char kind)
{
	if (a->depth == CONTROL_ANSWER_DEPTH || (kind != '{' && kind != '[')) {
		a->broken = true;
		return;
	}
	member(a, key);
	put(a, &kind, 1);
	a->kind[a->depth] = kind;
	a->first[a->depth++] = true;
}

void control_answer_close(struct control_answer *a)
{
	if (a->depth <= 1) {
		a->broken = true;
		return;
	}
	a->depth--;
	/* Closing always fits: CLOSING_ROOM holds a bracket for every depth. */
	a->buf[a->len++] = a->kind[a->depth] == '{' ? '}' : ']';
}

const char *control_answer_finish(struct control_answer *a, size_t *len)
{
	while (!a->broken && a->depth > 1)
		control_answer_close(a);
	if (a->broken) {
		char msg[64];

		snprintf(msg, sizeof(msg), "the answer would be longer than %d bytes",
			 CONTROL_ANSWER_MAX);
		control_answer_fail(a, a->command, CONTROL_E_FAILED, msg);
	}
	/* CLOSING_ROOM was kept for this. */
	a->buf[a->len++] = '}';
	a->buf[a->len++] = '\n';
	a->buf[a->len] = '\0';
	a->depth = 0;
	*len = a->len;
	return a->buf;
}

int control_answer_error(struct control_answer *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}
