/* libFuzzer target: the control protocol, a hostile client's bytes through the server's path, and a hostile server's answer through capsule ctl's. */
#include <ctype.h>
#include <errno.h>

#include "control/control_dispatch.h"
#include "control/control_human.h"
#include "control/control_json.h"
#include "control/control_lines.h"
#include "control/control_utf8.h"
#include "fuzz_input.h"

/*
 * The input: one byte N, then a client's stream, read N % 128 + 1 bytes at
 * a time into a client's line buffer as the server reads its socket. Every
 * request is dispatched to fake handlers (some succeed, quoting the request
 * back; some fail; the rest are "not available") and every answer must be
 * one line of JSON saying ok or giving a known code and a message. The
 * whole input (from its second byte) is then taken as an answer line from
 * a server capsule ctl does not trust: if it is JSON, the short text made
 * of it must hold no control character but newlines.
 */

static int quote_back(void *opaque, const struct control_request *req, struct control_answer *a)
{
	control_answer_u64(a, "size", req->size);
	control_answer_u64(a, "seconds", req->seconds);
	control_answer_open(a, "request", '[');
	control_answer_str(a, NULL, opaque);
	control_answer_close(a);
	return 0;
}

static int fail_errno(void *opaque, const struct control_request *req, struct control_answer *a)
{
	(void)opaque;
	(void)req;
	control_answer_str(a, "partial", "member");
	return -EIO;
}

static int fail_message(void *opaque, const struct control_request *req, struct control_answer *a)
{
	(void)opaque;
	return control_answer_error(a, "%s", (const char *)opaque + req->size % 2);
}

static bool known_code(const char *code)
{
	static const char *const codes[] = {
		CONTROL_E_TOO_LONG, CONTROL_E_BAD_REQUEST, CONTROL_E_UNKNOWN,
		CONTROL_E_BAD_ARGUMENT, CONTROL_E_NOT_AVAILABLE, CONTROL_E_FAILED,
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(code, codes[i]))
			return true;
	return false;
}

/* One answer line, JSON, "ok" true or a known code with a message. */
static void check_answer(struct control_answer *a)
{
	struct control_json json, v;
	const char *line;
	char code[64], msg[512];
	size_t len;

	line = control_answer_finish(a, &len);
	FUZZ_CHECK(len >= 2 && len <= CONTROL_ANSWER_MAX && line[len - 1] == '\n');
	FUZZ_CHECK(memchr(line, '\n', len) == line + len - 1);
	FUZZ_CHECK(control_utf8_prefix(line, len) == len);
	FUZZ_CHECK(control_json_parse(line, len - 1, &json) == 0);
	FUZZ_CHECK(control_json_get(&json, "ok", &v) == 0 && (v.kind == 't' || v.kind == 'f'));
	if (v.kind == 't')
		return;
	FUZZ_CHECK(control_json_get(&json, "code", &v) == 0 &&
		   control_json_string(&v, code, sizeof(code)) == 0 && known_code(code));
	FUZZ_CHECK(control_json_get(&json, "error", &v) == 0 &&
		   control_json_string(&v, msg, sizeof(msg)) == 0 && msg[0]);
}

/* A request the parser took is one a person could have typed: short, UTF-8, no controls. */
static void check_accepted(const char *line, size_t len)
{
	struct control_request req;
	struct control_error err;

	if (control_parse(line, len, &req, &err) < 0)
		return;
	FUZZ_CHECK(len <= CONTROL_LINE_MAX + 1 && control_utf8_prefix(line, len) == len);
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char)line[i] >= 0x20 || line[i] == '\t' ||
			   (line[i] == '\r' && i == len - 1));
	FUZZ_CHECK(req.cmd < CONTROL_CMDS);
	if (control_syntax(req.cmd)->arg == CONTROL_ARG_SIZE)
		FUZZ_CHECK(req.size > 0);
	if (control_syntax(req.cmd)->arg == CONTROL_ARG_SECONDS)
		FUZZ_CHECK(req.seconds >= 1 && req.seconds <= CONTROL_SECONDS_MAX);
}

static void serve(const uint8_t *data, size_t size, size_t chunk, struct control_answer *a)
{
	static struct control_lines lines;
	static char quoted[CONTROL_LINE_MAX + 3];
	struct control_handler h[CONTROL_CMDS] = {
		[CONTROL_INFO_VM] = { quote_back, quoted },
		[CONTROL_BALLOON] = { quote_back, quoted },
		[CONTROL_PAUSE] = { fail_errno, NULL },
		[CONTROL_SHUTDOWN] = { fail_message, quoted },
	};

	control_lines_init(&lines);
	while (size) {
		size_t room, n;
		char *space = control_lines_space(&lines, &room);
		enum control_line ev;
		const char *line;
		size_t len;

		FUZZ_CHECK(room > 0);
		n = size < chunk ? size : chunk;
		n = n < room ? n : room;
		memcpy(space, data, n);
		control_lines_added(&lines, n);
		data += n;
		size -= n;
		while ((ev = control_lines_next(&lines, &line, &len)) != CONTROL_LINE_NONE) {
			if (ev == CONTROL_LINE_TOO_LONG) {
				control_answer_too_long(a);
			} else {
				FUZZ_CHECK(len <= CONTROL_LINE_MAX + 1 && !memchr(line, '\n', len));
				check_accepted(line, len);
				/* The handlers quote the raw line back: bytes JSON must survive. */
				memcpy(quoted, line, len);
				quoted[len] = '\0';
				control_dispatch(h, line, len, a);
			}
			check_answer(a);
		}
	}
}

/* The whole input as a hostile server's answer: printed, it holds no control character. */
static void as_answer(const uint8_t *data, size_t size)
{
	static char out[1 << 16];
	struct control_json json;
	FILE *f;

	if (control_json_parse((const char *)data, size, &json) < 0)
		return;
	f = fmemopen(out, sizeof(out), "w");
	if (!f)
		abort();
	control_human_print(f, &json);
	fclose(f);
	for (const char *p = out; *p; p++) {
		FUZZ_CHECK((unsigned char)*p >= 0x20 || *p == '\n');
		/* C1 controls (U+0080..U+009F) neither: terminals act on them too. */
		FUZZ_CHECK(!((unsigned char)p[0] == 0xc2 && (p[1] & 0xe0) == 0x80));
	}
	control_human_error(&json, out, 1024);
	for (const char *p = out; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct control_answer a;

	if (!size)
		return 0;
	serve(data + 1, size - 1, data[0] % 128 + 1, &a);
	as_answer(data + 1, size - 1);
	return 0;
}
