/* Unit tests of control answers: the JSON writer and reader, info vm, capsule ctl's text, socket names, [control]. */
#include <stdlib.h>

#include "check.h"
#include "config/config.h"
#include "control/control_answer.h"
#include "control/control_human.h"
#include "control/control_info.h"
#include "control/control_json.h"
#include "control/control_path.h"

static struct control_answer ans;

/* Finish ANS: the line, checked to be one JSON object and one newline; OUT is the object. */
static const char *finish(struct control_json *out)
{
	size_t len;
	const char *line = control_answer_finish(&ans, &len);

	CHECK(len > 1 && line[len - 1] == '\n' && memchr(line, '\n', len) == line + len - 1);
	CHECK(strlen(line) == len);
	CHECK(control_json_parse(line, len - 1, out) == 0);
	return line;
}

/* Member KEY of OBJ as a string ("<none>" when missing). */
static const char *get_str(const struct control_json *obj, const char *key)
{
	static char buf[8192];
	struct control_json v;

	if (control_json_get(obj, key, &v) < 0 || control_json_string(&v, buf, sizeof(buf)) < 0)
		return "<none>";
	return buf;
}

static void writer_kinds_and_nesting(void)
{
	struct control_json a, devs, d, k;
	size_t pos = 0;
	uint64_t n;

	control_answer_ok(&ans, "info vm");
	control_answer_u64(&ans, "big", UINT64_MAX);
	control_answer_bool(&ans, "no", false);
	control_answer_open(&ans, "list", '[');
	control_answer_str(&ans, NULL, "one");
	control_answer_open(&ans, NULL, '{');
	control_answer_u64(&ans, "two", 2);
	control_answer_close(&ans);
	control_answer_open(&ans, NULL, '[');
	/* left open: finish closes it */
	CHECK_STR(finish(&a), "{\"ok\":true,\"command\":\"info vm\",\"big\":18446744073709551615,"
		  "\"no\":false,\"list\":[\"one\",{\"two\":2},[]]}\n");
	CHECK(control_json_get(&a, "big", &d) == 0 && control_json_u64(&d, &n) == 0 &&
	      n == UINT64_MAX);
	CHECK(control_json_get(&a, "list", &devs) == 0 && devs.kind == '[');
	CHECK(control_json_next(&devs, &pos, &k, &d) && d.kind == '"');
	CHECK(control_json_next(&devs, &pos, &k, &d) && d.kind == '{');
	CHECK(control_json_next(&devs, &pos, &k, &d) && d.kind == '[');
	CHECK(!control_json_next(&devs, &pos, &k, &d));
}

static void writer_escapes(void)
{
	static const char nasty[] = "q\"b\\n\nt\tc\x01\x1b[2J\x7f \xc3\xa9 \xff\xc0\xaf \xed\xa0\x80 "
				    "\xf0\x9f\x98\x80";
	struct control_json a;

	control_answer_ok(&ans, NULL);
	control_answer_str(&ans, nasty, nasty);
	CHECK_STR(finish(&a), "{\"ok\":true,\"q\\\"b\\\\n\\u000at\\u0009c\\u0001\\u001b[2J\\u007f "
		  "\xc3\xa9 \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \xf0\x9f\x98\x80\":\"q\\\"b"
		  "\\\\n\\u000at\\u0009c\\u0001\\u001b[2J\\u007f \xc3\xa9 \\ufffd\\ufffd\\ufffd "
		  "\\ufffd\\ufffd\\ufffd \xf0\x9f\x98\x80\"}\n");
	/* Read back: the bytes that were UTF-8 as they were, the others U+FFFD. */
	{
		size_t pos = 0;
		struct control_json k, v;
		char buf[128];

		CHECK(control_json_next(&a, &pos, &k, &v) && control_json_next(&a, &pos, &k, &v));
		CHECK(control_json_string(&v, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, "q\"b\\n\nt\tc\x01\x1b[2J\x7f \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd"
			  "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80");
	}
}

static void writer_limits(void)
{
	static char chunk[1001];
	struct control_json a;

	memset(chunk, 'x', 1000);
	control_answer_ok(&ans, "info vm");
	for (int i = 0; i < 100; i++)
		control_answer_str(&ans, "k", chunk);
	finish(&a);
	CHECK_STR(get_str(&a, "code"), "failed");
	CHECK_STR(get_str(&a, "command"), "info vm");
	CHECK_STR(get_str(&a, "error"), "the answer would be longer than 65536 bytes");
	/* Misused nesting: an error answer too, never broken JSON. */
	control_answer_ok(&ans, "pause");
	control_answer_close(&ans);
	finish(&a);
	CHECK_STR(get_str(&a, "code"), "failed");
	control_answer_ok(&ans, "pause");
	for (int i = 0; i < CONTROL_ANSWER_DEPTH + 2; i++)
		control_answer_open(&ans, "d", '{');
	finish(&a);
	CHECK_STR(get_str(&a, "code"), "failed");
	control_answer_fail(&ans, NULL, "busy", "try again");
	CHECK_STR(finish(&a), "{\"ok\":false,\"code\":\"busy\",\"error\":\"try again\"}\n");
}

static int json_ok(const char *s)
{
	struct control_json v;

	return control_json_parse(s, strlen(s), &v) == 0;
}

static void reader_accepts_and_refuses(void)
{
	static const char values[] = "{\"n\":18446744073709551616,\"m\":-1,\"f\":1.5,\"s\":"
				     "\"\\ud83d\\ude00 \\udc00 \\ud800x\",\"z\":\"a\\u0000b\"}";
	static char deep[64];
	struct control_json a, v;
	char buf[16];
	uint64_t n;

	CHECK(json_ok(" {\"a\" : [1, -2.5e3, 0, true, false, null, {}, [], \"\\u00e9\\/\"]}\r\n"));
	CHECK(!json_ok("[]") && !json_ok("1") && !json_ok("\"s\"") && !json_ok(""));
	CHECK(!json_ok("{} x") && !json_ok("{}{}") && !json_ok("{\"a\":1,}") && !json_ok("{,}"));
	CHECK(!json_ok("{\"a\"}") && !json_ok("{\"a\":}") && !json_ok("{a:1}") && !json_ok("{"));
	CHECK(!json_ok("{\"a\":01}") && !json_ok("{\"a\":1.}") && !json_ok("{\"a\":-}") &&
	      !json_ok("{\"a\":1e}") && !json_ok("{\"a\":[1,]}") && !json_ok("{\"a\":tru}"));
	CHECK(!json_ok("{\"a\":\"\x01\"}") && !json_ok("{\"a\":\"\\x\"}") &&
	      !json_ok("{\"a\":\"\\u12g4\"}") && !json_ok("{\"a\":\"\\u12\"}") &&
	      !json_ok("{\"a\":\"abc}") && !json_ok("{\"a\":\"\xff\"}"));
	/* Nested 16 deep at most. */
	for (int i = 0; i < 15; i++)
		strcat(deep, "[");
	memmove(deep + 5, deep, 15);
	memcpy(deep, "{\"a\":", 5);
	for (int i = 0; i < 15; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	CHECK(json_ok(deep));
	memmove(deep + 6, deep + 5, strlen(deep + 5) + 1);
	deep[5] = '[';
	memmove(deep + strlen(deep) - 1, "]}", 3);
	CHECK(!json_ok(deep));
	/* Values. */
	CHECK(control_json_parse(values, strlen(values), &a) == 0);
	CHECK(control_json_get(&a, "n", &v) == 0 && control_json_u64(&v, &n) < 0);
	CHECK(control_json_get(&a, "m", &v) == 0 && control_json_u64(&v, &n) < 0);
	CHECK(control_json_get(&a, "f", &v) == 0 && control_json_u64(&v, &n) < 0);
	CHECK_STR(get_str(&a, "s"), "\xf0\x9f\x98\x80 \xef\xbf\xbd \xef\xbf\xbdx");
	CHECK_STR(get_str(&a, "z"), "a");
	CHECK(control_json_get(&a, "missing", &v) < 0);
	/* Cut short between characters: the emoji does not fit in what is left. */
	CHECK(control_json_get(&a, "s", &v) == 0 && control_json_string(&v, buf, 4) == 0);
	CHECK_STR(buf, "");
	CHECK(control_json_string(&v, buf, 6) == 0);
	CHECK_STR(buf, "\xf0\x9f\x98\x80 ");
}

/* A config as config_finish() leaves it, with names and paths a JSON writer must take care of. */
static void test_config(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->vm_name, sizeof(cfg->vm_name), "web \"1\"\n");
	cfg->memory = 256ull << 20;
	cfg->vcpus = 2;
	cfg->ndisks = 2;
	snprintf(cfg->disks[0].name, CONFIG_NAME_MAX, "root");
	snprintf(cfg->disks[0].path, PATH_MAX, "/img/root\xff.qcow2");
	cfg->disks[0].format = CONFIG_FORMAT_QCOW2;
	cfg->disks[0].readonly = true;
	snprintf(cfg->disks[1].name, CONFIG_NAME_MAX, "data");
	snprintf(cfg->disks[1].path, PATH_MAX, "/img/data.raw");
	cfg->nnets = 1;
	snprintf(cfg->nets[0].name, CONFIG_NAME_MAX, "lan");
	snprintf(cfg->nets[0].bridge, sizeof(cfg->nets[0].bridge), "br0");
	memcpy(cfg->nets[0].mac, "\x02\x11\x22\x33\x44\x55", 6);
	cfg->nets[0].queues = 2;
}

static void info_vm(void)
{
	static struct config cfg;
	struct control_vm_info info = { .cfg = &cfg, .nic_hosts = { "tap capsule0" }, .pid = 42,
					 .state = "running", .socket = "/run/capsule/web.sock" };

	test_config(&cfg);
	control_answer_ok(&ans, "info vm");
	control_info_vm(&info, 65432, &ans);
	CHECK_STR(control_answer_finish(&ans, &(size_t){ 0 }),
		  "{\"ok\":true,\"command\":\"info vm\",\"name\":\"web \\\"1\\\"\\u000a\",\"state\":"
		  "\"running\",\"memory\":268435456,\"vcpus\":2,\"uptime_ms\":65432,\"pid\":42,"
		  "\"socket\":\"/run/capsule/web.sock\",\"devices\":[{\"id\":\"vda\",\"type\":"
		  "\"virtio-blk\",\"name\":\"root\",\"path\":\"/img/root\\ufffd.qcow2\",\"format\":"
		  "\"qcow2\",\"readonly\":true,\"snapshot\":false},{\"id\":\"vdb\",\"type\":"
		  "\"virtio-blk\",\"name\":\"data\",\"path\":\"/img/data.raw\",\"format\":\"auto\","
		  "\"readonly\":false,\"snapshot\":false},{\"id\":\"eth0\",\"type\":\"virtio-net\","
		  "\"name\":\"lan\",\"backend\":\"tap\",\"host\":\"tap capsule0\",\"bridge\":\"br0\",\"mac\":"
		  "\"02:11:22:33:44:55\",\"queues\":2},{\"id\":\"hvc0\",\"type\":\"virtio-console\"}]}\n");
	/* A VM without a config file is called as its socket is, capsule-PID. */
	info.name = "capsule-42";
	control_answer_ok(&ans, "info vm");
	control_info_vm(&info, 1, &ans);
	CHECK(strstr(control_answer_finish(&ans, &(size_t){ 0 }),
		     "{\"ok\":true,\"command\":\"info vm\",\"name\":\"capsule-42\",\"state\":") != NULL);
}

/* What control_human_print() writes for the answer line LINE. */
static const char *human(const char *line)
{
	static char out[4096];
	struct control_json a;
	FILE *f = fmemopen(out, sizeof(out), "w");

	out[0] = '\0';
	CHECK(control_json_parse(line, strlen(line), &a) == 0);
	control_human_print(f, &a);
	fclose(f);
	return out;
}

static void human_text(void)
{
	static const char busy[] = "{\"ok\":false,\"code\":\"busy\",\"error\":\"try\\u0007\"}";
	static struct config cfg;
	struct control_vm_info info = { .cfg = &cfg, .nic_hosts = { "tap capsule0" }, .pid = 42,
					 .state = "running", .socket = "/run/capsule/web.sock" };
	char buf[256];
	struct control_json a;

	test_config(&cfg);
	control_answer_ok(&ans, "info vm");
	control_info_vm(&info, 3723000, &ans);
	CHECK_STR(human(control_answer_finish(&ans, &(size_t){ 0 })),
		  "web \"1\"?: running, memory 256M, 2 vCPUs, up 1h02m03s, pid 42\n"
		  "  vda    virtio-blk name=root path=/img/root\xef\xbf\xbd.qcow2 format=qcow2 "
		  "readonly=true snapshot=false\n"
		  "  vdb    virtio-blk name=data path=/img/data.raw format=auto readonly=false "
		  "snapshot=false\n"
		  "  eth0   virtio-net name=lan backend=tap host=tap capsule0 bridge=br0 mac=02:11:22:33:44:55 "
		  "queues=2\n"
		  "  hvc0   virtio-console\n"
		  "  socket /run/capsule/web.sock\n");
	CHECK_STR(human("{\"ok\":true,\"command\":\"kill\",\"exit_status\":137}"),
		  "killed (capsule exits 137)\n");
	CHECK_STR(human("{\"ok\":true,\"command\":\"pause\"}"), "ok\n");
	/* A command the client knows nothing of; terminal controls, C0 and C1, never pass. */
	CHECK_STR(human("{\"ok\":true,\"command\":\"x\",\"actual\":134217728,\"on\":true,"
			"\"s\":\"a\\u001b[2Jb\\u009bc\xc2\x9b\",\"o\":{\"k\":[1]}}"),
		  "actual: 134217728\non: true\ns: a?[2Jb?c?\no: {\"k\":[1]}\n");
	CHECK(control_json_parse(busy, strlen(busy), &a) == 0);
	control_human_error(&a, buf, sizeof(buf));
	CHECK_STR(buf, "try? (busy)");
	control_human_size(256ull << 20, buf, sizeof(buf));
	CHECK_STR(buf, "256M");
	control_human_size(1ull << 40, buf, sizeof(buf));
	CHECK_STR(buf, "1T");
	control_human_size(1536 << 10, buf, sizeof(buf));
	CHECK_STR(buf, "1536K");
	control_human_size(100, buf, sizeof(buf));
	CHECK_STR(buf, "100");
	control_human_size(0, buf, sizeof(buf));
	CHECK_STR(buf, "0");
}

static void socket_names(void)
{
	char name[300], other[300];

	CHECK(control_file_name("web", name, sizeof(name)) == 0);
	CHECK_STR(name, "web.sock");
	CHECK(control_file_name("web-1.test_x", name, sizeof(name)) == 0);
	CHECK_STR(name, "web-1.test_x.sock");
	CHECK(control_file_name("/home/u/app.conf", name, sizeof(name)) == 0);
	CHECK(strlen(name) == strlen("app.conf-0123456789abcdef.sock") &&
	      !strncmp(name, "app.conf-", 9) && strstr(name, ".sock"));
	/* Stable from run to run, and different names stay apart. */
	CHECK(control_file_name("/home/u/app.conf", other, sizeof(other)) == 0);
	CHECK_STR(name, other);
	CHECK(control_file_name("/home/v/app.conf", other, sizeof(other)) == 0);
	CHECK(strcmp(name, other) != 0 && !strncmp(other, "app.conf-", 9));
	CHECK(control_file_name(".hidden", name, sizeof(name)) == 0 && !strncmp(name, "hidden-", 7));
	CHECK(control_file_name("../..", name, sizeof(name)) == 0 && !strncmp(name, "vm-", 3));
	CHECK(control_file_name("a b/\xc3\xa9x", name, sizeof(name)) == 0 && !strncmp(name, "x-", 2));
	memset(other, 'a', 64);
	other[64] = '\0';
	CHECK(control_file_name(other, name, sizeof(name)) == 0 && strlen(name) == 69);
	other[64] = 'a';
	other[65] = '\0';
	CHECK(control_file_name(other, name, sizeof(name)) == 0 &&
	      strlen(name) == 32 + 1 + 16 + 5);
	CHECK(control_file_name("web", name, 8) < 0);
	CHECK(control_default_dir("/run/user/1000", name, sizeof(name)) == 0);
	CHECK_STR(name, "/run/user/1000/capsule");
	CHECK(control_default_dir(NULL, name, sizeof(name)) == 0);
	CHECK_STR(name, "/run/capsule");
	CHECK(control_default_dir("relative", name, sizeof(name)) == 0);
	CHECK_STR(name, "/run/capsule");
}

static void config_section(void)
{
	static struct config cfg;
	char err[512];
	static char text[400];

	CHECK(config_parse_text(&cfg, "t.conf", "[control]\nenabled = true\n", "/etc/app", err,
				sizeof(err)) == 0 && cfg.control && !cfg.control_socket[0]);
	CHECK(config_parse_text(&cfg, "t.conf", "[control]\nsocket = s/vm.sock\nenabled = no\n",
				"/etc/app", err, sizeof(err)) == 0 && !cfg.control);
	CHECK_STR(cfg.control_socket, "/etc/app/s/vm.sock");
	CHECK(config_parse_text(&cfg, "t.conf", "[control]\nsocket = /run/x.sock\n", "/etc/app",
				err, sizeof(err)) == 0);
	CHECK_STR(cfg.control_socket, "/run/x.sock");
	CHECK(config_parse_text(&cfg, "t.conf", "[control]\nsocket = /run/\n", NULL, err,
				sizeof(err)) < 0);
	CHECK_STR(err, "t.conf:2: socket: '/run/' is not a file path");
	CHECK(config_parse_text(&cfg, "t.conf", "[control]\nenabled = maybe\n", NULL, err,
				sizeof(err)) < 0);
	CHECK_STR(err, "t.conf:2: enabled: 'maybe' is not true or false");
	snprintf(text, sizeof(text), "[control]\nsocket = /%0100d/x.sock\n", 0);
	CHECK(config_parse_text(&cfg, "t.conf", text, NULL, err, sizeof(err)) < 0);
	CHECK(strstr(err, "t.conf:2: socket: ") && strstr(err, "longer than a socket address "
							      "holds (107 bytes)"));
	CHECK(config_parse_text(&cfg, "t.conf", "[control]\nname = x\n", NULL, err,
				sizeof(err)) < 0);
	CHECK_STR(err, "t.conf:2: unknown key 'name' in [control]");
}

int main(void)
{
	RUN(writer_kinds_and_nesting);
	RUN(writer_escapes);
	RUN(writer_limits);
	RUN(reader_accepts_and_refuses);
	RUN(info_vm);
	RUN(human_text);
	RUN(socket_names);
	RUN(config_section);
	return CHECK_SUMMARY();
}
