/* The control protocol's requests: the commands, their arguments, and the parser of one request line. */
#include "control/control_proto.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "config/config.h"
#include "control/control_utf8.h"

static const struct control_syntax syntax[CONTROL_CMDS] = {
	[CONTROL_INFO_VM] = { "info vm", CONTROL_ARG_NONE, "",
			      "the VM: name, state, memory, vCPUs, devices, uptime", 0 },
	[CONTROL_INFO_BALLOON] = { "info balloon", CONTROL_ARG_NONE, "",
				   "the balloon: target, actual size, the guest's memory use", 0 },
	[CONTROL_BALLOON] = { "balloon", CONTROL_ARG_SIZE, "SIZE",
			      "ask the guest to shrink or grow to SIZE (128M, 1G)", 0 },
	[CONTROL_PAUSE] = { "pause", CONTROL_ARG_NONE, "", "stop the vCPUs", 0 },
	[CONTROL_RESUME] = { "resume", CONTROL_ARG_NONE, "", "let paused vCPUs go on", 0 },
	[CONTROL_SHUTDOWN] = { "shutdown", CONTROL_ARG_SECONDS, "[SECONDS]",
			       "ask the guest to power off; kill it after SECONDS (10)", 1 },
	[CONTROL_KILL] = { "kill", CONTROL_ARG_NONE, "",
			   "end the VM now (disks flushed, taps put back), status 137", 1 },
};

const struct control_syntax *control_syntax(enum control_cmd cmd)
{
	return &syntax[cmd];
}

/* The words of a request: the few any command takes, and one more to complain about. */
#define WORDS_MAX 4
struct words {
	const char *w[WORDS_MAX];
	size_t len[WORDS_MAX];
	unsigned n;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static void split(const char *s, size_t len, struct words *out)
{
	size_t i = 0, start;

	out->n = 0;
	while (out->n < WORDS_MAX) {
		while (i < len && blank(s[i]))
			i++;
		if (i == len)
			return;
		start = i;
		while (i < len && !blank(s[i]))
			i++;
		out->w[out->n] = s + start;
		out->len[out->n++] = i - start;
	}
}

static bool word_is(const struct words *w, unsigned i, const char *s, size_t len)
{
	return i < w->n && w->len[i] == len && !memcmp(w->w[i], s, len);
}

static int fail(struct control_error *err, const char *code, int cmd, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct control_error *err, const char *code, int cmd, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	err->cmd = cmd;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* Word I of W for a message: at most 40 bytes of it, cut between characters, "..." when cut. */
static const char *quote(const struct words *w, unsigned i, char *buf, size_t size)
{
	size_t len = w->len[i], cut = 0, n;

	if (len <= 40) {
		snprintf(buf, size, "%.*s", (int)len, w->w[i]);
		return buf;
	}
	while ((n = control_utf8_char(w->w[i] + cut, len - cut)) && cut + n <= 40)
		cut += n;
	snprintf(buf, size, "%.*s...", (int)cut, w->w[i]);
	return buf;
}

/* Before any word is looked at: the bytes themselves. */
static int check_bytes(const char *line, size_t len, struct control_error *err)
{
	size_t good;

	if (len > CONTROL_LINE_MAX)
		return fail(err, CONTROL_E_TOO_LONG, -1, "request longer than %d bytes",
			    CONTROL_LINE_MAX);
	if (memchr(line, '\0', len))
		return fail(err, CONTROL_E_BAD_REQUEST, -1, "a NUL byte at offset %zu",
			    (size_t)((const char *)memchr(line, '\0', len) - line));
	good = control_utf8_prefix(line, len);
	if (good < len)
		return fail(err, CONTROL_E_BAD_REQUEST, -1, "not UTF-8: bad byte 0x%02x at offset %zu",
			    (unsigned char)line[good], good);
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			return fail(err, CONTROL_E_BAD_REQUEST, -1,
				    "a control character (0x%02x) at offset %zu",
				    (unsigned char)line[i], i);
	return 0;
}

/* Which command the words name, and how many words its name took; -1 with ERR when none. */
static int find_command(const struct words *w, unsigned *used, struct control_error *err)
{
	char q[64];

	for (int c = 0; c < CONTROL_CMDS; c++) {
		const char *name = syntax[c].name, *sp = strchr(name, ' ');
		size_t first = sp ? (size_t)(sp - name) : strlen(name);

		if (!word_is(w, 0, name, first))
			continue;
		if (!sp) {
			*used = 1;
			return c;
		}
		if (word_is(w, 1, sp + 1, strlen(sp + 1))) {
			*used = 2;
			return c;
		}
	}
	if (word_is(w, 0, "info", 4) && w->n == 1)
		return fail(err, CONTROL_E_BAD_ARGUMENT, -1, "'info' needs what: vm or balloon");
	if (word_is(w, 0, "info", 4))
		return fail(err, CONTROL_E_UNKNOWN, -1, "unknown command 'info %s' (info vm or info "
			    "balloon)", quote(w, 1, q, sizeof(q)));
	return fail(err, CONTROL_E_UNKNOWN, -1, "unknown command '%s' (commands: info vm, info "
		    "balloon, balloon, pause, resume, shutdown, kill)", quote(w, 0, q, sizeof(q)));
}

static int parse_size(const struct words *w, unsigned i, struct control_request *req,
		      struct control_error *err)
{
	char buf[64], q[64];

	if (i >= w->n)
		return fail(err, CONTROL_E_BAD_ARGUMENT, (int)req->cmd, "'%s' needs a SIZE (such as "
			    "128M)", syntax[req->cmd].name);
	snprintf(buf, sizeof(buf), "%.*s", (int)w->len[i], w->w[i]);
	if (w->len[i] >= sizeof(buf) || config_parse_size(buf, &req->size) < 0)
		return fail(err, CONTROL_E_BAD_ARGUMENT, (int)req->cmd, "'%s' is not a size (such "
			    "as 128M or 1G)", quote(w, i, q, sizeof(q)));
	if (req->size == 0)
		return fail(err, CONTROL_E_BAD_ARGUMENT, (int)req->cmd, "the size must be more "
			    "than 0");
	return 0;
}

static int parse_seconds(const struct words *w, unsigned i, struct control_request *req,
			 struct control_error *err)
{
	unsigned v = 0;
	char q[64];

	req->seconds = CONTROL_SHUTDOWN_TIMEOUT;
	if (i >= w->n)
		return 0;
	for (size_t k = 0; k < w->len[i] && v <= CONTROL_SECONDS_MAX; k++)
		v = w->w[i][k] >= '0' && w->w[i][k] <= '9' ? v * 10 + (unsigned)(w->w[i][k] - '0')
							   : CONTROL_SECONDS_MAX + 1;
	if (v < 1 || v > CONTROL_SECONDS_MAX)
		return fail(err, CONTROL_E_BAD_ARGUMENT, (int)req->cmd, "'%s' is not a number of "
			    "seconds from 1 to %d", quote(w, i, q, sizeof(q)), CONTROL_SECONDS_MAX);
	req->seconds = v;
	return 0;
}

int control_parse(const char *line, size_t len, struct control_request *req,
		  struct control_error *err)
{
	unsigned used = 0;
	struct words w;
	char q[64];
	int cmd;

	memset(req, 0, sizeof(*req));
	if (len && len <= CONTROL_LINE_MAX + 1 && line[len - 1] == '\r')
		len--;
	if (check_bytes(line, len, err) < 0)
		return -1;
	split(line, len, &w);
	if (!w.n)
		return fail(err, CONTROL_E_BAD_REQUEST, -1, "empty request");
	cmd = find_command(&w, &used, err);
	if (cmd < 0)
		return -1;
	req->cmd = (enum control_cmd)cmd;
	if (syntax[cmd].arg == CONTROL_ARG_SIZE && parse_size(&w, used++, req, err) < 0)
		return -1;
	if (syntax[cmd].arg == CONTROL_ARG_SECONDS && parse_seconds(&w, used++, req, err) < 0)
		return -1;
	if (used < w.n)
		return fail(err, CONTROL_E_BAD_ARGUMENT, cmd, "unexpected '%s' after '%s'",
			    quote(&w, used, q, sizeof(q)), syntax[cmd].name);
	return 0;
}

void control_print_commands(FILE *f, const char *indent)
{
	for (int c = 0; c < CONTROL_CMDS; c++) {
		char head[32];

		snprintf(head, sizeof(head), "%s%s%s", syntax[c].name, *syntax[c].usage ? " " : "",
			 syntax[c].usage);
		fprintf(f, "%s%-20s %s\n", indent, head, syntax[c].help);
	}
}
