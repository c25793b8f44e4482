/* The control protocol's requests: the commands, their arguments, and the parser of one request line. */
#ifndef CAPSULE_CONTROL_PROTO_H
#define CAPSULE_CONTROL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A request is at most this many bytes before its newline. */
#define CONTROL_LINE_MAX 4096

/*
 * Every command of the protocol, whether this build can run it or not:
 * the parser knows them all, the server answers "not available in this
 * build" for those without a handler (control_dispatch.h).
 */
enum control_cmd {
	CONTROL_INFO_VM,	/* info vm */
	CONTROL_INFO_BALLOON,	/* info balloon */
	CONTROL_BALLOON,	/* balloon SIZE */
	CONTROL_PAUSE,		/* pause */
	CONTROL_RESUME,		/* resume */
	CONTROL_SHUTDOWN,	/* shutdown [SECONDS] */
	CONTROL_KILL,		/* kill */
	CONTROL_CMDS
};

/* What a command takes after its name. */
enum control_arg {
	CONTROL_ARG_NONE,
	CONTROL_ARG_SIZE,	/* required: bytes, with an optional K/M/G/T suffix, not 0 */
	CONTROL_ARG_SECONDS,	/* optional: whole seconds, 1..CONTROL_SECONDS_MAX */
};

#define CONTROL_SECONDS_MAX 3600
#define CONTROL_SHUTDOWN_TIMEOUT 10	/* shutdown's SECONDS when none is given */

struct control_syntax {
	const char *name;	/* "info vm": one or two words */
	enum control_arg arg;
	const char *usage;	/* the argument as help shows it ("SIZE"), "" for none */
	const char *help;	/* one line */
	int ends_vm;		/* the VM ends after answering: the client waits for that */
};

/* The syntax of command CMD (< CONTROL_CMDS). */
const struct control_syntax *control_syntax(enum control_cmd cmd);

/* A parsed request. */
struct control_request {
	enum control_cmd cmd;
	uint64_t size;		/* CONTROL_ARG_SIZE: in bytes */
	unsigned seconds;	/* CONTROL_ARG_SECONDS: as given, or the command's default */
};

/* Why a request was refused: a stable code for programs, a message for people. */
struct control_error {
	const char *code;	/* one of the CONTROL_E_* strings */
	int cmd;		/* the command, when the name was understood; else -1 */
	char message[256];
};

#define CONTROL_E_TOO_LONG "too-long"		/* more than CONTROL_LINE_MAX bytes */
#define CONTROL_E_BAD_REQUEST "bad-request"	/* empty, NUL bytes, not UTF-8, control characters */
#define CONTROL_E_UNKNOWN "unknown-command"
#define CONTROL_E_BAD_ARGUMENT "bad-argument"	/* missing, malformed or extra arguments */
#define CONTROL_E_NOT_AVAILABLE "not-available"	/* a command this build cannot run */
#define CONTROL_E_FAILED "failed"		/* the command ran and failed */
#define CONTROL_E_DENIED "permission-denied"	/* the peer is neither capsule's user nor root */
#define CONTROL_E_BUSY "busy"			/* every client slot is taken */

/*
 * Parse the request LINE of LEN bytes (its newline taken off; one trailing
 * '\r' is ignored). Words are separated by blanks (spaces, tabs). Returns 0
 * with REQ filled, or -1 with ERR saying what is wrong with it. LINE need not
 * be NUL-terminated and may hold any bytes.
 */
int control_parse(const char *line, size_t len, struct control_request *req,
		  struct control_error *err);

/* The commands with their arguments and help, one a line, each line led by INDENT. */
void control_print_commands(FILE *f, const char *indent);

#endif
