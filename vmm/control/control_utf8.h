/* UTF-8 checks for the control protocol: requests must be UTF-8, and JSON answers always are. */
#ifndef CAPSULE_CONTROL_UTF8_H
#define CAPSULE_CONTROL_UTF8_H

#include <stddef.h>

/*
 * The length (1 to 4) of the well-formed UTF-8 character S starts with; 0
 * when it is malformed (overlong, a surrogate, past U+10FFFF, cut short) or
 * LEN is 0.
 */
size_t control_utf8_char(const char *s, size_t len);

/* How many of the LEN bytes at S are well-formed UTF-8 from the start: LEN when all are. */
size_t control_utf8_prefix(const char *s, size_t len);

#endif
