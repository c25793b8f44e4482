/* The few mem* functions the firmware uses; gcc may also emit calls to them. */
#ifndef FW_STRING_H
#define FW_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
/* Returns <0, 0 or >0 like the standard one. */
int memcmp(const void *a, const void *b, size_t n);
/* Length of a NUL-terminated string. */
size_t strlen(const char *s);

#endif
