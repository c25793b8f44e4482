/* A minimal unit-test harness: CHECK() records a failure and goes on; main() runs the tests. */
#ifndef CAPSULE_CHECK_H
#define CAPSULE_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int check_failures_in_test;
static int tests_passed, tests_failed;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_failures_in_test++;                                     \
		}                                                                     \
	} while (0)

#define CHECK_STR(a, b)                                                                      \
	do {                                                                                 \
		const char *a_ = (a), *b_ = (b);                                             \
		if (strcmp(a_, b_)) {                                                        \
			printf("  %s:%d: '%s' != '%s'\n", __FILE__, __LINE__, a_, b_);       \
			check_failures_in_test++;                                            \
		}                                                                            \
	} while (0)

/* Append to the record LOG (SIZE bytes) a fake backend keeps of its calls, for CHECK_STR. */
static inline void __attribute__((format(printf, 3, 4), unused))
check_log(char *log, size_t size, const char *fmt, ...)
{
	size_t n = strlen(log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(log + n, size - n, fmt, ap);
	va_end(ap);
}

#define RUN(test)                                                                 \
	do {                                                                      \
		check_failures_in_test = 0;                                       \
		test();                                                           \
		if (check_failures_in_test) {                                     \
			printf("FAIL %s\n", #test);                               \
			tests_failed++;                                           \
		} else {                                                          \
			printf("ok   %s\n", #test);                               \
			tests_passed++;                                           \
		}                                                                 \
	} while (0)

/* The last line: the totals, parsed by tests/run-all. */
#define CHECK_SUMMARY()                                                            \
	(printf("%d passed, %d failed\n", tests_passed, tests_failed), tests_failed != 0)

#endif
