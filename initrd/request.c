/* Reads what the monitor asked of init: the kernel command line, then the request file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/run_request.h"
#include "init.h"

#define REQUEST_MAX (64u << 20)	/* far above what exec takes (ARG_MAX): a runaway stream */

int init_list_add(struct init_list *l, const char *s, size_t len)
{
	char **v = realloc(l->v, (l->n + 2) * sizeof(*v));

	if (!v)
		return -1;
	l->v = v;
	v[l->n] = strndup(s, len);
	if (!v[l->n])
		return -1;
	v[++l->n] = NULL;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode "hex,hex,..." (each an argument) into REQ's argv (another VMM's capsule.argv=). */
static int decode_argv(struct init_request *req, const char *s)
{
	char arg[4096];
	size_t n = 0;

	for (const char *p = s;;) {
		if (*p == ',' || !*p) {
			if (init_list_add(&req->args, arg, n) < 0)
				return -1;
			n = 0;
			if (!*p++)
				break;
			continue;
		}
		/* p[1] is readable: p[0] is not the end. */
		if (hexval(p[0]) < 0 || hexval(p[1]) < 0 || n == sizeof(arg))
			return -1;
		arg[n++] = (char)(hexval(p[0]) << 4 | hexval(p[1]));
		p += 2;
	}
	req->argv = req->args.v;
	return 0;
}

/* Keep a capsule.net= value for init_net_setup: the line it sits in does not outlive the parse. */
static void add_net(struct init_request *req, const char *value)
{
	if (req->nnet == INIT_NET_MAX) {
		fprintf(stderr, "init: more than %d capsule.net=, ignoring %s\n", INIT_NET_MAX, value);
		return;
	}
	req->net[req->nnet] = strdup(value);
	if (req->net[req->nnet])
		req->nnet++;
}

static void cmdline_word(struct init_request *req, const char *tok)
{
	if (!strncmp(tok, "capsule.argv=", 13)) {
		if (decode_argv(req, tok + 13) < 0)
			fprintf(stderr, "init: bad capsule.argv\n");
	} else if (!strncmp(tok, "capsule.net=", 12)) {
		add_net(req, tok + 12);
	} else if (!strcmp(tok, "capsule.tty=1")) {
		req->tty = 1;
	} else if (!strncmp(tok, "capsule.root=", 13)) {
		req->root = strdup(tok + 13);
	} else if (!strncmp(tok, "capsule.dns=", 12)) {
		req->dns = strdup(tok + 12);
	} else if (!strncmp(tok, "console=", 8)) {
		/* "console=ttyS0,115200n8": the device name ends at the comma. */
		snprintf(req->console, sizeof(req->console), "/dev/%.*s",
			 (int)strcspn(tok + 8, ","), tok + 8);
	}
}

void init_read_cmdline(struct init_request *req)
{
	char line[4096], *tok, *save;
	FILE *f = fopen("/proc/cmdline", "r");

	memset(req, 0, sizeof(*req));
	strcpy(req->console, "/dev/hvc0");
	if (!f || !fgets(line, sizeof(line), f)) {
		fprintf(stderr, "init: cannot read /proc/cmdline\n");
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		cmdline_word(req, tok);
}

/* All of the file PATH; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*len = 0;
	while (buf && fd >= 0 && (n = read(fd, buf + *len, cap - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || cap >= REQUEST_MAX) {
			free(buf);
			buf = NULL;
			break;
		}
		*len += (size_t)n;
		if (*len == cap) {
			char *more = realloc(buf, cap * 2);

			if (!more)
				free(buf);
			buf = more;
			cap *= 2;
		}
	}
	if (fd >= 0)
		close(fd);
	return fd < 0 ? NULL : buf;
}

/* One record KEY=VALUE into REQ; -1 for an unknown or malformed one. */
static int take(struct init_request *req, const char *rec, size_t len)
{
	const char *eq = memchr(rec, '=', len), *v;
	size_t klen, vlen;

	if (!eq)
		return -1;
	v = eq + 1;
	klen = (size_t)(eq - rec);
	vlen = len - klen - 1;
#define IS(key) (klen == strlen(key) && !memcmp(rec, key, klen))
	if (IS(RUN_KEY_ARGV)) {
		if (init_list_add(&req->args, v, vlen) < 0)
			return -1;
		req->argv = req->args.v;
		return 0;
	}
	if (IS(RUN_KEY_ENV))
		return init_list_add(&req->env, v, vlen);
	if (IS(RUN_KEY_COPY_IN))
		return init_list_add(&req->copy_in, v, vlen);
	if (IS(RUN_KEY_COPY_OUT))
		return init_list_add(&req->copy_out, v, vlen);
	if (IS(RUN_KEY_TTY)) {
		req->tty = vlen == 1 && v[0] == '1';
		return 0;
	}
	if (IS(RUN_KEY_WORKDIR))
		return (req->workdir = strndup(v, vlen)) ? 0 : -1;
	if (IS(RUN_KEY_USER))
		return (req->user = strndup(v, vlen)) ? 0 : -1;
	if (IS(RUN_KEY_WINSIZE))
		return sscanf(v, "%ux%u", &req->rows, &req->cols) == 2 ? 0 : -1;
	if (IS(RUN_KEY_ROOT))
		return (req->root = strndup(v, vlen)) ? 0 : -1;
#undef IS
	return -1;
}

bool init_has_request(void)
{
	return access(RUN_REQUEST_FILE, F_OK) == 0;
}

int init_read_request(struct init_request *req)
{
	size_t len, off, magic = sizeof(RUN_REQUEST_MAGIC);
	bool ended = false;
	char *buf = slurp(RUN_REQUEST_FILE, &len);

	/* -e values may be secrets: not left where a workload in the initrd would find them. */
	unlink(RUN_REQUEST_FILE);
	if (!buf) {
		fprintf(stderr, "init: cannot read %s\n", RUN_REQUEST_FILE);
		return -1;
	}
	if (len < magic || memcmp(buf, RUN_REQUEST_MAGIC, magic) || buf[len - 1]) {
		fprintf(stderr, "init: the request is not one this init reads\n");
		return -1;
	}
	for (off = magic; off < len && !ended; off += strlen(buf + off) + 1) {
		ended = !strcmp(buf + off, RUN_KEY_END "=");
		if (!ended && take(req, buf + off, strlen(buf + off)) < 0) {
			fprintf(stderr, "init: bad request record '%.40s'\n", buf + off);
			return -1;
		}
	}
	free(buf);
	if (!ended)
		fprintf(stderr, "init: the request was cut short\n");
	return ended ? 0 : -1;
}
