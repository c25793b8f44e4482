/* vmm/log.c for fuzz targets: messages are formatted (their arguments checked) but not printed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

/*
 * A hostile guest makes the device models log on nearly every input; printing
 * that would cost more than running the input. FUZZ_VERBOSE=1 prints it.
 */
static void vlog(const char *fmt, va_list ap)
{
	static int verbose = -1;
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
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
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

/* Only start-up code dies; reaching it from guest input is a bug in itself. */
noreturn void die_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ndie_status(%d) reached from a fuzz input\n", status);
	abort();
}

void log_at_exit(void (*fn)(void))
{
	atexit(fn);
}
