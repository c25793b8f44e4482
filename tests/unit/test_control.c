/* Unit tests of the control protocol: the request parser, the line buffer and the dispatch to handlers. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "control/control_dispatch.h"
#include "control/control_json.h"
#include "control/control_lines.h"
#include "control/control_proto.h"

static struct control_request req;
static struct control_error err;

/* Parse the NUL-terminated S; 0 or -1 as control_parse(). */
static int parse(const char *s)
{
	memset(&err, 0, sizeof(err));
	return control_parse(s, strlen(s), &req, &err);
}

/* S is refused with CODE and a message holding PART. */
static int refused(const char *s, size_t len, const char *code, const char *part)
{
	memset(&err, 0, sizeof(err));
	if (control_parse(s, len, &req, &err) == 0) {
		printf("  '%.*s' was accepted\n", (int)len, s);
		return 0;
	}
	if (strcmp(err.code, code) || !strstr(err.message, part)) {
		printf("  '%.*s': %s: %s\n", (int)len, s, err.code, err.message);
		return 0;
	}
	return 1;
}
#define REFUSED(s, code, part) CHECK(refused(s, strlen(s), code, part))

static void every_command(void)
{
	CHECK(parse("info vm") == 0 && req.cmd == CONTROL_INFO_VM);
	CHECK(parse("info balloon") == 0 && req.cmd == CONTROL_INFO_BALLOON);
	CHECK(parse("balloon 128M") == 0 && req.cmd == CONTROL_BALLOON && req.size == 128ull << 20);
	CHECK(parse("balloon 1G") == 0 && req.size == 1ull << 30);
	CHECK(parse("balloon 64k") == 0 && req.size == 64ull << 10);
	CHECK(parse("balloon 4096") == 0 && req.size == 4096);
	CHECK(parse("balloon 256MiB") == 0 && req.size == 256ull << 20);
	CHECK(parse("pause") == 0 && req.cmd == CONTROL_PAUSE);
	CHECK(parse("resume") == 0 && req.cmd == CONTROL_RESUME);
	CHECK(parse("shutdown") == 0 && req.cmd == CONTROL_SHUTDOWN &&
	      req.seconds == CONTROL_SHUTDOWN_TIMEOUT);
	CHECK(parse("shutdown 5") == 0 && req.seconds == 5);
	CHECK(parse("shutdown 3600") == 0 && req.seconds == 3600);
	CHECK(parse("kill") == 0 && req.cmd == CONTROL_KILL);
	/* Blanks around and between words, and a CRLF line ending, change nothing. */
	CHECK(parse("  info \t vm\t") == 0 && req.cmd == CONTROL_INFO_VM);
	CHECK(parse("kill\r") == 0 && req.cmd == CONTROL_KILL);
	for (int c = 0; c < CONTROL_CMDS; c++)
		CHECK(control_syntax(c)->name && control_syntax(c)->help);
}

static void too_long(void)
{
	char *s = malloc(CONTROL_LINE_MAX + 2);

	memset(s, 'x', CONTROL_LINE_MAX + 1);
	CHECK(refused(s, CONTROL_LINE_MAX + 1, CONTROL_E_TOO_LONG, "longer than 4096"));
	/* At the limit it is parsed: an unknown command then. */
	CHECK(refused(s, CONTROL_LINE_MAX, CONTROL_E_UNKNOWN, "unknown command 'xxxx"));
	memcpy(s, "kill", 4);
	memset(s + 4, ' ', CONTROL_LINE_MAX - 4);
	s[CONTROL_LINE_MAX] = '\r';
	CHECK(control_parse(s, CONTROL_LINE_MAX + 1, &req, &err) == 0 && req.cmd == CONTROL_KILL);
	free(s);
}

static void unknown_commands(void)
{
	REFUSED("frob", CONTROL_E_UNKNOWN, "unknown command 'frob' (commands: info vm");
	REFUSED("INFO vm", CONTROL_E_UNKNOWN, "'INFO'");
	REFUSED("killall", CONTROL_E_UNKNOWN, "'killall'");
	REFUSED("info disk", CONTROL_E_UNKNOWN, "unknown command 'info disk'");
	REFUSED("info", CONTROL_E_BAD_ARGUMENT, "'info' needs what: vm or balloon");
	REFUSED("h\xc3\xa9llo", CONTROL_E_UNKNOWN, "'h\xc3\xa9llo'");
	/* A long word is quoted cut short, between characters: 39 'a' and no half of the 'é'. */
	REFUSED("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9zzzzz", CONTROL_E_UNKNOWN,
		"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
}

static void bad_sizes(void)
{
	REFUSED("balloon", CONTROL_E_BAD_ARGUMENT, "'balloon' needs a SIZE");
	REFUSED("balloon 12Q", CONTROL_E_BAD_ARGUMENT, "'12Q' is not a size");
	REFUSED("balloon -5M", CONTROL_E_BAD_ARGUMENT, "'-5M' is not a size");
	REFUSED("balloon M", CONTROL_E_BAD_ARGUMENT, "'M' is not a size");
	REFUSED("balloon 1.5G", CONTROL_E_BAD_ARGUMENT, "'1.5G' is not a size");
	REFUSED("balloon 99999999999999999999", CONTROL_E_BAD_ARGUMENT, "is not a size");
	REFUSED("balloon 17179869184G", CONTROL_E_BAD_ARGUMENT, "is not a size");
	REFUSED("balloon 0", CONTROL_E_BAD_ARGUMENT, "more than 0");
	CHECK(err.cmd == CONTROL_BALLOON);
	REFUSED("shutdown 0", CONTROL_E_BAD_ARGUMENT, "'0' is not a number of seconds");
	REFUSED("shutdown 3601", CONTROL_E_BAD_ARGUMENT, "from 1 to 3600");
	REFUSED("shutdown 99999999999999999999", CONTROL_E_BAD_ARGUMENT, "seconds");
	REFUSED("shutdown -1", CONTROL_E_BAD_ARGUMENT, "'-1'");
	REFUSED("shutdown 5s", CONTROL_E_BAD_ARGUMENT, "'5s'");
}

static void trailing_garbage(void)
{
	REFUSED("kill now", CONTROL_E_BAD_ARGUMENT, "unexpected 'now' after 'kill'");
	REFUSED("info vm please", CONTROL_E_BAD_ARGUMENT, "unexpected 'please' after 'info vm'");
	REFUSED("balloon 128M 256M", CONTROL_E_BAD_ARGUMENT, "unexpected '256M' after 'balloon'");
	REFUSED("shutdown 5 6", CONTROL_E_BAD_ARGUMENT, "unexpected '6'");
	REFUSED("pause a b c d e f", CONTROL_E_BAD_ARGUMENT, "unexpected 'a' after 'pause'");
	CHECK(err.cmd == CONTROL_PAUSE);
}

static void bad_bytes(void)
{
	CHECK(refused("kill\0", 5, CONTROL_E_BAD_REQUEST, "a NUL byte at offset 4"));
	CHECK(refused("\0kill", 5, CONTROL_E_BAD_REQUEST, "NUL byte at offset 0"));
	REFUSED("kill \xff", CONTROL_E_BAD_REQUEST, "not UTF-8: bad byte 0xff at offset 5");
	REFUSED("\xc0\xaf", CONTROL_E_BAD_REQUEST, "not UTF-8");		/* overlong '/' */
	REFUSED("\xe0\x80\xaf", CONTROL_E_BAD_REQUEST, "not UTF-8");		/* overlong, 3 bytes */
	REFUSED("\xed\xa0\x80", CONTROL_E_BAD_REQUEST, "not UTF-8");		/* a surrogate */
	REFUSED("\xf4\x90\x80\x80", CONTROL_E_BAD_REQUEST, "not UTF-8");	/* past U+10FFFF */
	REFUSED("kill \xe2\x82", CONTROL_E_BAD_REQUEST, "offset 5");		/* cut short */
	REFUSED("\x80kill", CONTROL_E_BAD_REQUEST, "offset 0");		/* a lone continuation */
	REFUSED("kill\x1b[2J", CONTROL_E_BAD_REQUEST, "a control character (0x1b) at offset 4");
	REFUSED("kill\x7f", CONTROL_E_BAD_REQUEST, "(0x7f)");
	REFUSED("info\nvm", CONTROL_E_BAD_REQUEST, "(0x0a)");
	REFUSED("kill\r\r", CONTROL_E_BAD_REQUEST, "(0x0d)");
	REFUSED("", CONTROL_E_BAD_REQUEST, "empty request");
	REFUSED(" \t ", CONTROL_E_BAD_REQUEST, "empty request");
	CHECK(err.cmd == -1);
}

/* What the fake handlers were asked. */
static int calls[CONTROL_CMDS];

static int fake_ok(void *opaque, const struct control_request *r, struct control_answer *a)
{
	calls[r->cmd]++;
	control_answer_u64(a, "size", r->size);
	control_answer_str(a, "from", opaque);
	return 0;
}

static int fake_errno(void *opaque, const struct control_request *r, struct control_answer *a)
{
	(void)opaque;
	calls[r->cmd]++;
	control_answer_str(a, "half", "written");
	return -EIO;
}

static int fake_message(void *opaque, const struct control_request *r, struct control_answer *a)
{
	(void)opaque;
	calls[r->cmd]++;
	return control_answer_error(a, "%llu is more than the VM has",
				    (unsigned long long)r->size);
}

/* Dispatch S; the answer line, checked to be one JSON line, in a static buffer. */
static const char *answer_to(const struct control_handler *h, const char *s)
{
	static struct control_answer a;
	struct control_json json;
	const char *line;
	size_t len;

	control_dispatch(h, s, strlen(s), &a);
	line = control_answer_finish(&a, &len);
	CHECK(len > 1 && line[len - 1] == '\n' && memchr(line, '\n', len) == line + len - 1);
	CHECK(control_json_parse(line, len - 1, &json) == 0);
	return line;
}

static void dispatch(void)
{
	struct control_handler h[CONTROL_CMDS] = {
		[CONTROL_INFO_VM] = { fake_ok, "info" },
		[CONTROL_BALLOON] = { fake_ok, "balloon" },
		[CONTROL_PAUSE] = { fake_errno, NULL },
		[CONTROL_SHUTDOWN] = { fake_message, NULL },
	};
	char want[256];

	CHECK_STR(answer_to(h, "info vm"),
		  "{\"ok\":true,\"command\":\"info vm\",\"size\":0,\"from\":\"info\"}\n");
	CHECK_STR(answer_to(h, "balloon 1M"),
		  "{\"ok\":true,\"command\":\"balloon\",\"size\":1048576,\"from\":\"balloon\"}\n");
	snprintf(want, sizeof(want), "{\"ok\":false,\"command\":\"pause\",\"code\":\"failed\","
		 "\"error\":\"%s\"}\n", strerror(EIO));
	CHECK_STR(answer_to(h, "pause"), want);
	CHECK_STR(answer_to(h, "shutdown"), "{\"ok\":false,\"command\":\"shutdown\",\"code\":"
		  "\"failed\",\"error\":\"0 is more than the VM has\"}\n");
	/* No handler: the command is known, this build cannot run it. */
	CHECK_STR(answer_to(h, "resume"), "{\"ok\":false,\"command\":\"resume\",\"code\":"
		  "\"not-available\",\"error\":\"not available in this build\"}\n");
	/* Refused requests never reach a handler; the command is named when it was understood. */
	CHECK_STR(answer_to(h, "balloon 12Q"), "{\"ok\":false,\"command\":\"balloon\",\"code\":"
		  "\"bad-argument\",\"error\":\"'12Q' is not a size (such as 128M or 1G)\"}\n");
	CHECK_STR(answer_to(h, "x\"y"), "{\"ok\":false,\"code\":\"unknown-command\",\"error\":"
		  "\"unknown command 'x\\\"y' (commands: info vm, info balloon, balloon, pause, "
		  "resume, shutdown, kill)\"}\n");
	CHECK(calls[CONTROL_INFO_VM] == 1 && calls[CONTROL_BALLOON] == 1 &&
	      calls[CONTROL_PAUSE] == 1 && calls[CONTROL_SHUTDOWN] == 1);
	{
		struct control_answer *a = malloc(sizeof(*a));
		const char *line;
		size_t len;

		control_answer_too_long(a);
		line = control_answer_finish(a, &len);
		CHECK_STR(line, "{\"ok\":false,\"code\":\"too-long\",\"error\":\"request longer "
			  "than 4096 bytes\"}\n");
		free(a);
	}
}

/* Feed S to L; the events, one letter each (R: a line, T: too long), lines in LOG. */
static void feed(struct control_lines *l, const char *s, size_t n, char *log, size_t size)
{
	while (n) {
		size_t room, k;
		char *space = control_lines_space(l, &room);
		enum control_line ev;
		const char *line;
		size_t len;

		CHECK(room > 0);
		k = n < room ? n : room;
		memcpy(space, s, k);
		control_lines_added(l, k);
		s += k;
		n -= k;
		while ((ev = control_lines_next(l, &line, &len)) != CONTROL_LINE_NONE) {
			if (ev == CONTROL_LINE_READY)
				check_log(log, size, "R[%.*s]", len > 20 ? 20 : (int)len, line);
			else
				check_log(log, size, "T");
		}
	}
}

static void lines(void)
{
	static struct control_lines l;
	char log[256] = "", *big = malloc(20000);

	control_lines_init(&l);
	feed(&l, "inf", 3, log, sizeof(log));
	CHECK(control_lines_pending(&l));
	feed(&l, "o vm\nki", 7, log, sizeof(log));
	feed(&l, "ll\n\n", 4, log, sizeof(log));
	CHECK(!control_lines_pending(&l));
	CHECK_STR(log, "R[info vm]R[kill]R[]");
	/* 4096 bytes and a CRLF still fit; one byte more and the request is too long, once. */
	log[0] = '\0';
	memset(big, 'a', 20000);
	memcpy(big + CONTROL_LINE_MAX, "\r\n", 2);
	feed(&l, big, CONTROL_LINE_MAX + 2, log, sizeof(log));
	CHECK_STR(log, "R[aaaaaaaaaaaaaaaaaaaa]");
	log[0] = '\0';
	memset(big, 'b', 20000);
	feed(&l, big, 20000, log, sizeof(log));
	CHECK(control_lines_pending(&l));
	feed(&l, big, 20000, log, sizeof(log));
	feed(&l, "bbb\nkill\n", 9, log, sizeof(log));
	CHECK_STR(log, "TR[kill]");
	CHECK(!control_lines_pending(&l));
	/* A line exactly filling the buffer without its newline is too long. */
	log[0] = '\0';
	feed(&l, big, CONTROL_LINES_ROOM, log, sizeof(log));
	feed(&l, "\npause\n", 7, log, sizeof(log));
	CHECK_STR(log, "TR[pause]");
	free(big);
}

int main(void)
{
	RUN(every_command);
	RUN(too_long);
	RUN(unknown_commands);
	RUN(bad_sizes);
	RUN(trailing_garbage);
	RUN(bad_bytes);
	RUN(dispatch);
	RUN(lines);
	return CHECK_SUMMARY();
}
