/* One control client's input: bytes as they come, cut into request lines of at most CONTROL_LINE_MAX bytes. */
#ifndef CAPSULE_CONTROL_LINES_H
#define CAPSULE_CONTROL_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "control/control_proto.h"

/* Room for the longest request, a '\r' and its '\n'. */
#define CONTROL_LINES_ROOM (CONTROL_LINE_MAX + 2)

struct control_lines {
	char buf[CONTROL_LINES_ROOM];
	size_t len;		/* bytes held */
	size_t taken;		/* the line handed out last, newline included: dropped on the next call */
	size_t scanned;		/* bytes known to hold no newline (but the one ending a line taken) */
	bool skipping;		/* inside an over-long request: drop bytes up to its newline */
};

enum control_line {
	CONTROL_LINE_NONE,	/* no whole line yet: read more */
	CONTROL_LINE_READY,	/* a request line */
	CONTROL_LINE_TOO_LONG,	/* a request outgrew the buffer; its rest will be dropped */
};

void control_lines_init(struct control_lines *l);

/* Where the next bytes read go, and how many fit (never 0 after control_lines_next() said NONE). */
char *control_lines_space(struct control_lines *l, size_t *room);

/* N bytes were written at control_lines_space(). */
void control_lines_added(struct control_lines *l, size_t n);

/*
 * The next event: READY with *LINE and *LEN (the newline taken off; valid
 * until the next call), TOO_LONG once per request over the limit, or NONE.
 * Call it until NONE after each control_lines_added().
 */
enum control_line control_lines_next(struct control_lines *l, const char **line, size_t *len);

/* Whether a request was begun and not finished (bytes held, or an over-long one being dropped). */
bool control_lines_pending(const struct control_lines *l);

#endif
