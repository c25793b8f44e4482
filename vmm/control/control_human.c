/* capsule ctl's short human text for a JSON answer. */
#include "control/control_human.h"

#include <inttypes.h>
#include <string.h>

/* Control characters, C0 and C1 (U+0080..U+009F: c2 80..c2 9f), made '?': a terminal acts on them. */
static void defang(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] >= 0x80 &&
		    (unsigned char)s[1] <= 0x9f) {
			*o++ = '?';
			s++;
		} else {
			*o++ = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
		}
	}
	*o = '\0';
}

/* Value V as printable text: a string unescaped, anything else as written. */
static const char *value_text(const struct control_json *v, char *buf, size_t size)
{
	if (v->kind == '"')
		control_json_string(v, buf, size);
	else
		snprintf(buf, size, "%.*s", (int)(v->len < size ? v->len : size - 1), v->p);
	defang(buf);
	return buf;
}

const char *control_human_field(const struct control_json *obj, const char *key, char *buf,
				size_t size)
{
	struct control_json v;

	buf[0] = '\0';
	return control_json_get(obj, key, &v) < 0 ? buf : value_text(&v, buf, size);
}

static uint64_t number(const struct control_json *obj, const char *key)
{
	struct control_json v;
	uint64_t n = 0;

	if (control_json_get(obj, key, &v) == 0)
		control_json_u64(&v, &n);
	return n;
}

void control_human_size(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%" PRIu64, bytes);
	else
		snprintf(buf, size, "%" PRIu64 "%c", bytes, units[u]);
}

/* One device line: its id and type, then what else it has, "key value" pairs. */
static void device(FILE *f, const struct control_json *dev)
{
	char key[32], val[4200], id[16], type[32];
	struct control_json k, v;
	size_t pos = 0;

	fprintf(f, "  %-6s %s", control_human_field(dev, "id", id, sizeof(id)),
		control_human_field(dev, "type", type, sizeof(type)));
	while (control_json_next(dev, &pos, &k, &v)) {
		control_json_string(&k, key, sizeof(key));
		defang(key);
		if (!strcmp(key, "id") || !strcmp(key, "type"))
			continue;
		fprintf(f, " %s=%s", key, value_text(&v, val, sizeof(val)));
	}
	fputc('\n', f);
}

static void info_vm(FILE *f, const struct control_json *a)
{
	char name[300], state[32], mem[32], sock[128];
	uint64_t up = number(a, "uptime_ms") / 1000;
	struct control_json devs, d, k;
	size_t pos = 0;

	control_human_size(number(a, "memory"), mem, sizeof(mem));
	fprintf(f, "%s: %s, memory %s, %" PRIu64 " vCPU%s, up %" PRIu64 "h%02" PRIu64 "m%02" PRIu64
		"s, pid %" PRIu64 "\n", control_human_field(a, "name", name, sizeof(name)),
		control_human_field(a, "state", state, sizeof(state)), mem, number(a, "vcpus"),
		number(a, "vcpus") == 1 ? "" : "s", up / 3600, up / 60 % 60, up % 60, number(a, "pid"));
	if (control_json_get(a, "devices", &devs) == 0)
		while (control_json_next(&devs, &pos, &k, &d))
			if (d.kind == '{')
				device(f, &d);
	fprintf(f, "  socket %s\n", control_human_field(a, "socket", sock, sizeof(sock)));
}

/* info balloon and balloon SIZE: the sizes on one line, then the guest's statistics, if any. */
static void balloon(FILE *f, const struct control_json *a)
{
	char actual[32], target[32], mem[32], key[32], val[32];
	struct control_json stats, k, v;
	size_t pos = 0;
	uint64_t n;

	control_human_size(number(a, "actual"), actual, sizeof(actual));
	control_human_size(number(a, "target"), target, sizeof(target));
	control_human_size(number(a, "memory"), mem, sizeof(mem));
	fprintf(f, "balloon: actual=%s target=%s memory=%s%s\n", actual, target, mem,
		control_human_field(a, "ready", val, sizeof(val))[0] == 'f' ?
		" (the guest's driver is not up)" : "");
	if (control_json_get(a, "stats", &stats) < 0 || stats.kind != '{')
		return;
	fprintf(f, "  guest stats, %" PRIu64 " s old:", number(&stats, "age_ms") / 1000);
	while (control_json_next(&stats, &pos, &k, &v)) {
		control_json_string(&k, key, sizeof(key));
		defang(key);
		if (!strcmp(key, "age_ms") || control_json_u64(&v, &n) < 0)
			continue;
		/* Faults are counts; every other statistic is bytes, shown in whole MiB. */
		if (strstr(key, "faults") || strstr(key, "hugetlb"))
			snprintf(val, sizeof(val), "%" PRIu64, n);
		else
			snprintf(val, sizeof(val), "%" PRIu64 "M", n >> 20);
		fprintf(f, " %s=%s", key, val);
	}
	fputc('\n', f);
}

/* Every member but ok and command, "key: value"; "ok" when there are none. */
static void generic(FILE *f, const struct control_json *a)
{
	struct control_json k, v;
	char key[64], val[4200];
	size_t pos = 0;
	int lines = 0;

	while (control_json_next(a, &pos, &k, &v)) {
		control_json_string(&k, key, sizeof(key));
		defang(key);
		if (!strcmp(key, "ok") || !strcmp(key, "command"))
			continue;
		fprintf(f, "%s: %s\n", key, value_text(&v, val, sizeof(val)));
		lines++;
	}
	if (!lines)
		fputs("ok\n", f);
}

void control_human_print(FILE *f, const struct control_json *answer)
{
	char cmd[32];

	control_human_field(answer, "command", cmd, sizeof(cmd));
	if (!strcmp(cmd, "info vm"))
		info_vm(f, answer);
	else if (!strcmp(cmd, "info balloon") || !strcmp(cmd, "balloon"))
		balloon(f, answer);
	else if (!strcmp(cmd, "kill"))
		fprintf(f, "killed (capsule exits %" PRIu64 ")\n", number(answer, "exit_status"));
	else
		generic(f, answer);
}

void control_human_error(const struct control_json *answer, char *buf, size_t size)
{
	char code[32], msg[512];

	control_human_field(answer, "code", code, sizeof(code));
	control_human_field(answer, "error", msg, sizeof(msg));
	if (code[0])
		snprintf(buf, size, "%s (%s)", msg[0] ? msg : "failed", code);
	else
		snprintf(buf, size, "%s", msg[0] ? msg : "failed");
}
