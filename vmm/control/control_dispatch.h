/* The control protocol's dispatch: a request line to its command's handler, and the answer back. */
#ifndef CAPSULE_CONTROL_DISPATCH_H
#define CAPSULE_CONTROL_DISPATCH_H

#include <stddef.h>

#include "control/control_answer.h"
#include "control/control_proto.h"

/*
 * Runs command REQ->cmd on the event loop's thread: adds the answer's
 * members to A (opened with "ok" and "command" already) and returns 0, or
 * returns -errno to fail (with control_answer_error() for a message of its
 * own; strerror's otherwise). It must not wait: the loop serves the guest.
 */
typedef int (*control_fn)(void *opaque, const struct control_request *req,
			  struct control_answer *a);

/* Who runs a command: FN(OPAQUE, ...); FN NULL: "not available in this build". */
struct control_handler {
	control_fn fn;
	void *opaque;
};

/*
 * Answer the request LINE (LEN bytes, its newline taken off) into A:
 * parse it, run its command's handler from HANDLERS (indexed by enum
 * control_cmd), or give the error answer saying what is wrong. Touches
 * nothing but A and what the handler does.
 */
void control_dispatch(const struct control_handler handlers[CONTROL_CMDS], const char *line,
		      size_t len, struct control_answer *a);

/* The error answer to a request longer than CONTROL_LINE_MAX bytes. */
void control_answer_too_long(struct control_answer *a);

#endif
