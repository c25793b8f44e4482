/* Error and diagnostic messages, all prefixed "capsule:". */
#ifndef CAPSULE_LOG_H
#define CAPSULE_LOG_H

#include <stdnoreturn.h>

/* Exit statuses of capsule itself (a guest's own status passes through). */
#define EXIT_CAPSULE_RUNTIME 1	/* KVM or device failure while running */
#define EXIT_CAPSULE_USAGE 2	/* bad command line or config: nothing started */

/* Print "capsule: MSG" to stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "capsule: MSG" when CAPSULE_DEBUG is set in the environment. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "capsule: MSG" and exit with STATUS; for start-up failures only. */
noreturn void die_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* die_status(EXIT_CAPSULE_RUNTIME, ...). */
#define die(...) die_status(EXIT_CAPSULE_RUNTIME, __VA_ARGS__)

/* Functions run by die_status() before exiting, most recent first (terminal restore). */
void log_at_exit(void (*fn)(void));

#endif
