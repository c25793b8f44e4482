/* capsule ctl's short human text for a JSON answer. */
#ifndef CAPSULE_CONTROL_HUMAN_H
#define CAPSULE_CONTROL_HUMAN_H

#include <stdint.h>
#include <stdio.h>

#include "control/control_json.h"

/*
 * Print the successful answer ANSWER (parsed by control_json_parse()) as
 * short text on F: info vm and kill their own way, any other command one
 * "key: value" line a member (none: "ok"). Whatever the answer holds,
 * control characters never reach F.
 */
void control_human_print(FILE *f, const struct control_json *answer);

/* Member KEY of object OBJ as printable text into BUF: a string unescaped, anything else as written, control characters made '?'; "" when missing. */
const char *control_human_field(const struct control_json *obj, const char *key, char *buf,
				size_t size);

/* The message of error answer ANSWER into BUF ("code: error"), control characters made '?'. */
void control_human_error(const struct control_json *answer, char *buf, size_t size);

/* BYTES as a short size: "256M", "1G", "1536K", "100" (the largest unit it is a multiple of). */
void control_human_size(uint64_t bytes, char *buf, size_t size);

#endif
