/* Error and diagnostic messages, all prefixed "capsule:". */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void vlog(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One write per message so lines from several threads do not interleave. */
	fprintf(stderr, "capsule: %s\n", buf);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	static int enabled = -1;
	va_list ap;

	if (enabled < 0)
		enabled = getenv("CAPSULE_DEBUG") != NULL;
	if (!enabled)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

noreturn void die_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	exit(status);
}

void log_at_exit(void (*fn)(void))
{
	atexit(fn);
}
