/* One control client's input: bytes as they come, cut into request lines of at most CONTROL_LINE_MAX bytes. */
#include "control/control_lines.h"

#include <string.h>

void control_lines_init(struct control_lines *l)
{
	l->len = l->taken = l->scanned = 0;
	l->skipping = false;
}

/* Forget the line handed out last. */
static void drop_taken(struct control_lines *l)
{
	memmove(l->buf, l->buf + l->taken, l->len - l->taken);
	l->len -= l->taken;
	l->scanned = l->scanned > l->taken ? l->scanned - l->taken : 0;
	l->taken = 0;
}

char *control_lines_space(struct control_lines *l, size_t *room)
{
	drop_taken(l);
	*room = sizeof(l->buf) - l->len;
	return l->buf + l->len;
}

void control_lines_added(struct control_lines *l, size_t n)
{
	l->len += n;
}

/* The first newline held that was not looked at before; the bytes before it are looked at now. */
static char *newline(struct control_lines *l)
{
	char *nl = memchr(l->buf + l->scanned, '\n', l->len - l->scanned);

	l->scanned = nl ? (size_t)(nl - l->buf) + 1 : l->len;
	return nl;
}

enum control_line control_lines_next(struct control_lines *l, const char **line, size_t *len)
{
	char *nl;

	drop_taken(l);
	nl = newline(l);
	if (l->skipping) {
		/* The rest of an over-long request: gone, up to and with its newline. */
		l->taken = l->scanned;
		if (!nl)
			return CONTROL_LINE_NONE;
		l->skipping = false;
		drop_taken(l);
		nl = newline(l);
	}
	if (nl) {
		*line = l->buf;
		*len = (size_t)(nl - l->buf);
		l->taken = *len + 1;
		return CONTROL_LINE_READY;
	}
	if (l->len == sizeof(l->buf)) {
		l->taken = l->len;
		l->skipping = true;
		return CONTROL_LINE_TOO_LONG;
	}
	return CONTROL_LINE_NONE;
}

bool control_lines_pending(const struct control_lines *l)
{
	return l->skipping || l->len > l->taken;
}
