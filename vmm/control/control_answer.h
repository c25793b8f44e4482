/* The control protocol's answers: one JSON object on one line, built member by member. */
#ifndef CAPSULE_CONTROL_ANSWER_H
#define CAPSULE_CONTROL_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_ANSWER_MAX 65536	/* the longest answer line, newline included */
#define CONTROL_ANSWER_DEPTH 8		/* objects and arrays open at once, the answer's own included */

/*
 * An answer being built. Strings are escaped as JSON needs, and any byte
 * that is not UTF-8 becomes U+FFFD, so the line is always JSON (RFC 8259)
 * in UTF-8, whatever a file name or a peer held. An answer that would not
 * fit, or misuses the nesting, becomes an error answer at the end.
 */
struct control_answer {
	char buf[CONTROL_ANSWER_MAX];
	size_t len;
	bool broken;			/* too long, or nesting misused */
	unsigned depth;			/* open objects and arrays */
	char kind[CONTROL_ANSWER_DEPTH];	/* '{' or '[' at each depth */
	bool first[CONTROL_ANSWER_DEPTH];	/* nothing written yet at that depth */
	const char *command;		/* the command answered, NULL when not known */
	char error[256];		/* a handler's message, see control_answer_error() */
};

/* Start A as the successful answer to COMMAND: {"ok":true,"command":COMMAND ... */
void control_answer_ok(struct control_answer *a, const char *command);

/*
 * Make A the whole error answer {"ok":false[,"command":COMMAND],"code":CODE,
 * "error":MESSAGE}, whatever it held. COMMAND may be NULL.
 */
void control_answer_fail(struct control_answer *a, const char *command, const char *code,
			 const char *message);

/*
 * Add a member KEY to the object open in A, or with KEY NULL an element to
 * the array open in A.
 */
void control_answer_str(struct control_answer *a, const char *key, const char *value);
void control_answer_u64(struct control_answer *a, const char *key, uint64_t value);
void control_answer_bool(struct control_answer *a, const char *key, bool value);

/* Open an object (KIND '{') or array ('[') as KEY (NULL: an array element); close the last one open. */
void control_answer_open(struct control_answer *a, const char *key, char kind);
void control_answer_close(struct control_answer *a);

/*
 * Close what is open and end the line: the answer to send, LEN bytes,
 * ending with its only newline (and a NUL after it, not counted).
 */
const char *control_answer_finish(struct control_answer *a, size_t *len);

/*
 * For a command's handler that fails: the message its error answer gives
 * (printf-style). Returns -EINVAL, for the handler to return.
 */
int control_answer_error(struct control_answer *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
