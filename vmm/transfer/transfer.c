/* --copy-in and --copy-out on the host: one tar stream per direction, made or taken apart by a sandboxed child process. */
#include "transfer/transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "transfer/tar_extract.h"
#include "transfer/tar_format.h"
#include "transfer/tar_walk.h"
#include "transfer/transfer_child.h"

/* Fewer wake-ups on both sides than the default 64 KiB; the unprivileged limit. */
#define PIPE_SIZE (1 << 20)
#define READ_CHUNK (64 * 1024)

/* What both directions prepare before forking. */
struct prepared {
	unsigned n;
	int fds[1 + TRANSFER_ROUTES_MAX];	/* the child's end of the pipe, then the routes' dirs */
	char prefix[TRANSFER_ROUTES_MAX][TAR_NAME_MAX + 1];
};

static void close_all(struct prepared *s)
{
	for (unsigned i = 0; i <= s->n; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
}

/* PREFIX without empty or "." names, into OUT: 0, or -1 for ".." or too long. */
static int normalize_prefix(const char *prefix, char *out)
{
	size_t o = 0;

	while (*prefix) {
		size_t len = strcspn(prefix, "/");

		if (len == 2 && !strncmp(prefix, "..", 2))
			return -1;
		if (len && !(len == 1 && *prefix == '.')) {
			if (o + len + 1 > TAR_NAME_MAX)
				return -1;
			if (o)
				out[o++] = '/';
			memcpy(out + o, prefix, len);
			o += len;
		}
		prefix += len + (prefix[len] == '/');
	}
	out[o] = 0;
	return 0;
}

/* Each route's directory opened (made first when MAKE), and its prefix normalized. */
static int prepare(struct prepared *s, const struct transfer_route *routes, unsigned n, bool make,
		   const char *label, char *err, size_t errlen)
{
	memset(s->fds, -1, sizeof(s->fds));
	s->n = 0;
	if (n > TRANSFER_ROUTES_MAX) {
		snprintf(err, errlen, "%s: more than %d directories", label, TRANSFER_ROUTES_MAX);
		return -1;
	}
	for (unsigned i = 0; i < n; i++, s->n++) {
		int fd = open(routes[i].host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0 && errno == ENOENT && make &&
		    (mkdir(routes[i].host, 0777) == 0 || errno == EEXIST))
			fd = open(routes[i].host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "%s: '%s': %s", label, routes[i].host,
				 errno == ENOTDIR ? "not a directory" : strerror(errno));
			close_all(s);
			return -1;
		}
		s->fds[1 + i] = fd;
		if (normalize_prefix(routes[i].prefix, s->prefix[i]) < 0) {
			snprintf(err, errlen, "%s: '/%s': not a usable guest path", label,
				 routes[i].prefix);
			close_all(s);
			return -1;
		}
	}
	return 0;
}

/*
 * The pipe, its ends to the child (CHILD_READS: the read end) and to P, and
 * the fork. In the parent: 0 or -1 with ERR; in the child: 1.
 */
static int start(struct prepared *s, bool child_reads, const char *label, struct transfer_proc *p,
		 char *err, size_t errlen)
{
	int fds[2];

	p->pid = 0;
	p->fd = -1;
	p->label = label;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: pipe: %s", label, strerror(errno));
		close_all(s);
		return -1;
	}
	fcntl(fds[0], F_SETPIPE_SZ, PIPE_SIZE);
	s->fds[0] = fds[child_reads ? 0 : 1];
	p->fd = fds[child_reads ? 1 : 0];
	p->pid = fork();
	if (p->pid == 0)
		return 1;
	close_all(s);
	if (p->pid < 0) {
		snprintf(err, errlen, "%s: fork: %s", label, strerror(errno));
		close(p->fd);
		p->fd = -1;
		p->pid = 0;
		return -1;
	}
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

static noreturn void send_child(struct prepared *s, const struct transfer_route *routes,
				uid_t uid, gid_t gid, const char *label, pid_t parent)
{
	struct tar_writer *w = malloc(sizeof(*w));
	int status = 0;

	transfer_child_enter(s->fds, 1 + s->n, parent, "capsule-copy-in", SECCOMP_KIND_transfer_send);
	if (!w)
		_exit(1);
	tar_writer_init(w, TRANSFER_CHILD_FD0, uid, gid);
	for (unsigned i = 0; i < s->n && !w->broken; i++)
		if (tar_walk(w, TRANSFER_CHILD_FD0 + 1 + (int)i, s->prefix[i], routes[i].host, label))
			status = 1;
	if (!w->broken)
		tar_writer_end(w);
	if (w->broken) {
		log_error("%s: cannot send the files: %s", label,
			  w->err == EPIPE ? "the guest stopped taking them" : strerror(w->err));
		status = 1;
	}
	_exit(status);
}


static noreturn void receive_child(struct prepared *s, uint64_t max_bytes, const char *label,
				   pid_t parent)
{
	struct tar_extract_route routes[TRANSFER_ROUTES_MAX];
	struct tar_extract_config cfg = { .routes = routes, .nroutes = s->n, .max_bytes = max_bytes,
					  .label = label };
	struct tar_extract *x;
	char *buf;
	int r;

	transfer_child_enter(s->fds, 1 + s->n, parent, "capsule-copy-out",
			     SECCOMP_KIND_transfer_receive);
	for (unsigned i = 0; i < s->n; i++)
		routes[i] = (struct tar_extract_route){ s->prefix[i], TRANSFER_CHILD_FD0 + 1 + (int)i };
	if (!(x = tar_extract_new(&cfg)) || !(buf = malloc(READ_CHUNK))) {
		log_error("%s: out of memory", label);
		_exit(1);
	}
	for (;;) {
		ssize_t got = read(TRANSFER_CHILD_FD0, buf, READ_CHUNK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			log_error("%s: cannot read the files: %s", label, strerror(errno));
			_exit(1);
		}
		if (got == 0)
			break;
		tar_extract_feed(x, buf, (size_t)got);	/* after a failure: read on, drop */
	}
	r = tar_extract_finish(x);
	if (r < 0)
		log_error("%s", tar_extract_error(x));
	if (tar_extract_skipped(x))
		log_error("%s: %llu members skipped (devices, fifos, sockets, or hard links to files "
			  "not copied)", label, (unsigned long long)tar_extract_skipped(x));
	_exit(r < 0);
}

/* What a child of either direction gets besides the prepared routes. */
struct child_args {
	const struct transfer_route *routes;
	uid_t uid;			/* copy-in: the owner in every header */
	gid_t gid;
	uint64_t max_bytes;		/* copy-out: the budget of file data */
};

/* Prepare the routes, fork, and run the direction's child in it; 0 or -1 in the parent. */
static int launch(const struct child_args *a, unsigned n, bool receive, const char *label,
		  struct transfer_proc *p, char *err, size_t errlen)
{
	struct prepared *s = malloc(sizeof(*s));
	pid_t parent = getpid();
	int r;

	if (!s) {
		snprintf(err, errlen, "%s: out of memory", label);
		return -1;
	}
	r = prepare(s, a->routes, n, receive, label, err, errlen);
	if (r == 0 && (r = start(s, receive, label, p, err, errlen)) == 1) {
		if (receive)
			receive_child(s, a->max_bytes, label, parent);
		send_child(s, a->routes, a->uid, a->gid, label, parent);
	}
	free(s);
	return r;
}

int transfer_send_start(const struct transfer_route *routes, unsigned n, uid_t uid, gid_t gid,
			const char *label, struct transfer_proc *p, char *err, size_t errlen)
{
	struct child_args a = { .routes = routes, .uid = uid, .gid = gid };

	return launch(&a, n, false, label, p, err, errlen);
}

int transfer_receive_start(const struct transfer_route *routes, unsigned n, uint64_t max_bytes,
			   const char *label, struct transfer_proc *p, char *err, size_t errlen)
{
	struct child_args a = { .routes = routes, .max_bytes = max_bytes };

	return launch(&a, n, true, label, p, err, errlen);
}

int transfer_finish(struct transfer_proc *p)
{
	int status;
	pid_t r;

	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	if (!p->pid)
		return -1;
	while ((r = waitpid(p->pid, &status, 0)) < 0 && errno == EINTR)
		;
	p->pid = 0;
	if (r < 0)
		return -1;
	if (WIFSIGNALED(status))
		log_error("%s: the transfer process was killed by signal %d", p->label,
			  WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
