/* The control protocol's dispatch: a request line to its command's handler, and the answer back. */
#include "control/control_dispatch.h"

#include <stdio.h>
#include <string.h>

void control_dispatch(const struct control_handler handlers[CONTROL_CMDS], const char *line,
		      size_t len, struct control_answer *a)
{
	struct control_request req;
	struct control_error err;
	const char *name;
	int ret;

	if (control_parse(line, len, &req, &err) < 0) {
		control_answer_fail(a, err.cmd >= 0 ? control_syntax(err.cmd)->name : NULL, err.code,
				    err.message);
		return;
	}
	name = control_syntax(req.cmd)->name;
	if (!handlers[req.cmd].fn) {
		control_answer_fail(a, name, CONTROL_E_NOT_AVAILABLE,
				    "not available in this build");
		return;
	}
	control_answer_ok(a, name);
	ret = handlers[req.cmd].fn(handlers[req.cmd].opaque, &req, a);
	if (ret < 0) {
		char msg[sizeof(a->error)];

		snprintf(msg, sizeof(msg), "%s", a->error[0] ? a->error : strerror(-ret));
		control_answer_fail(a, name, CONTROL_E_FAILED, msg);
	}
}

void control_answer_too_long(struct control_answer *a)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "request longer than %d bytes", CONTROL_LINE_MAX);
	control_answer_fail(a, NULL, CONTROL_E_TOO_LONG, msg);
}
