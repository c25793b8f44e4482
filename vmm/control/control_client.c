/* capsule ctl: the control socket's client, run from the command line. */
#include "control/control_client.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/control_answer.h"
#include "control/control_conn.h"
#include "control/control_human.h"
#include "control/control_path.h"
#include "control/control_proto.h"
#include "log.h"

#define ANSWER_TIMEOUT_MS 10000
#define END_GRACE_MS 10000	/* how long after the answer a VM that ends may take to be gone */

void control_client_usage(FILE *f)
{
	fputs("usage: capsule ctl NAME|SOCKET COMMAND [ARG] [--json] [--timeout SECONDS]\n"
	      "       capsule ctl list [--json]\n"
	      "\n"
	      "Talks to a running VM through its control socket. NAME is the VM's [vm] name\n"
	      "(a config file's path names the VM of a config without one); SOCKET is a\n"
	      "socket's path. Sockets are in $XDG_RUNTIME_DIR/capsule, else /run/capsule.\n"
	      "\n"
	      "commands:\n", f);
	control_print_commands(f, "  ");
	fputs("  list                 the VMs you can reach, and their sockets\n"
	      "\n"
	      "options:\n"
	      "  --json               print the VM's answer, one JSON object on one line\n"
	      "  --timeout SECONDS    shutdown: kill the VM if it has not ended by then (10)\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "Exit status: 0 done; 1 the VM answered with an error, or could not be\n"
	      "reached; 2 bad usage. The protocol is in README.md, \"Control socket\".\n", f);
}

/* COMMAND [ARG] as one request line, --timeout added to shutdown; checked as the VM would. */
static int request_line(const struct control_cli *o, char *line, size_t size,
			struct control_request *req)
{
	struct control_error err;
	size_t used = 0;

	for (int i = 0; i < o->nwords; i++)
		used += (size_t)snprintf(line + used, used < size ? size - used : 0, "%s%s",
					 i ? " " : "", o->words[i]);
	if (o->timeout && used < size)
		used += (size_t)snprintf(line + used, size - used, " %u", o->timeout);
	if (used >= size) {
		fprintf(stderr, "capsule ctl: request longer than %d bytes\n", CONTROL_LINE_MAX);
		return -1;
	}
	if (control_parse(line, used, req, &err) < 0) {
		fprintf(stderr, "capsule ctl: %s\n", err.message);
		return -1;
	}
	if (o->timeout && control_syntax(req->cmd)->arg != CONTROL_ARG_SECONDS) {
		fprintf(stderr, "capsule ctl: --timeout is for shutdown only\n");
		return -1;
	}
	return 0;
}

/* Print ANSWER (LEN bytes, one checked JSON line) as asked; the exit status it means. */
static int print_answer(const struct control_cli *o, const char *label, const char *answer,
			size_t len)
{
	struct control_json a, ok;
	char msg[700];

	control_json_parse(answer, len, &a);
	if (control_json_get(&a, "ok", &ok) == 0 && control_json_true(&ok)) {
		if (o->json)
			fwrite(answer, 1, len, stdout);
		else
			control_human_print(stdout, &a);
		return 0;
	}
	if (o->json)
		fwrite(answer, 1, len, stdout);
	control_human_error(&a, msg, sizeof(msg));
	fprintf(stderr, "capsule ctl: %s: %s\n", label, msg);
	return 1;
}

static int run_command(const struct control_cli *o)
{
	char line[CONTROL_LINE_MAX + 64], path[CONTROL_PATH_MAX + 1], err[512];
	static char answer[CONTROL_ANSWER_MAX + 1];
	struct control_request req;
	int fd, status, wait_ms;
	ssize_t len;

	if (request_line(o, line, sizeof(line), &req) < 0)
		return EXIT_CAPSULE_USAGE;
	if (control_conn_resolve(o->target, path, sizeof(path), err, sizeof(err)) < 0) {
		fprintf(stderr, "capsule ctl: %s\n", err);
		return 1;
	}
	fd = control_conn_open(path, ANSWER_TIMEOUT_MS, err, sizeof(err));
	len = fd < 0 ? -1 : control_conn_ask(fd, line, answer, sizeof(answer), ANSWER_TIMEOUT_MS,
					     err, sizeof(err));
	if (len < 0) {
		fprintf(stderr, "capsule ctl: %s: %s\n", path, err);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	status = print_answer(o, o->target, answer, (size_t)len);
	fflush(stdout);
	wait_ms = (req.cmd == CONTROL_SHUTDOWN ? (int)req.seconds * 1000 : 0) + END_GRACE_MS;
	/* A command that ends the VM returns once it is gone: its socket with it. */
	if (!status && control_syntax(req.cmd)->ends_vm &&
	    control_conn_wait_closed(fd, wait_ms) < 0) {
		fprintf(stderr, "capsule ctl: %s: the VM has not ended within %d s\n", path,
			wait_ms / 1000);
		status = 1;
	}
	close(fd);
	return status;
}

/* Each socket in DIR that answers info vm, in name order. */
static void list_dir(const struct control_cli *o, const char *dir, int *shown)
{
	static char answer[CONTROL_ANSWER_MAX + 1];
	char path[PATH_MAX], err[256], name[300], state[32];
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		size_t nl = strlen(names[i]->d_name);
		struct control_json a, v;
		struct stat st;
		ssize_t len = -1;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (nl > 5 && !strcmp(names[i]->d_name + nl - 5, ".sock") && strlen(path) <= CONTROL_PATH_MAX &&
		    lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    (fd = control_conn_open(path, 2000, err, sizeof(err))) >= 0) {
			len = control_conn_ask(fd, "info vm", answer, sizeof(answer), 2000, err,
					       sizeof(err));
			close(fd);
		}
		free(names[i]);
		if (len < 0 || control_json_parse(answer, (size_t)len, &a) < 0 ||
		    control_json_get(&a, "ok", &v) < 0 || !control_json_true(&v))
			continue;
		if (o->json) {
			fwrite(answer, 1, (size_t)len, stdout);
			continue;
		}
		if (!(*shown)++)
			printf("%-24s %-8s %s\n", "NAME", "STATE", "SOCKET");
		printf("%-24s %-8s %s\n", control_human_field(&a, "name", name, sizeof(name)),
		       control_human_field(&a, "state", state, sizeof(state)), path);
	}
	if (n >= 0)
		free(names);
}

static int run_list(const struct control_cli *o)
{
	char dir[PATH_MAX] = "";
	int shown = 0;

	if (control_default_dir(getenv("XDG_RUNTIME_DIR"), dir, sizeof(dir)) == 0)
		list_dir(o, dir, &shown);
	if (strcmp(dir, "/run/capsule"))
		list_dir(o, "/run/capsule", &shown);
	return 0;
}

int control_client_main(const struct control_cli *o)
{
	return o->list ? run_list(o) : run_command(o);
}
