/* The control socket's server on the I/O thread: clients accepted, checked, read line by line, answered. */
#include "control/control_server.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define ACCEPTS_PER_TURN 16	/* then the loop serves others; epoll calls again */

static int64_t ms_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Send A's answer without waiting: 0, or -1 when it did not all go (the peer is not reading). */
static int send_answer(int fd, struct control_answer *a)
{
	size_t len;
	struct iovec iov = { .iov_base = (void *)control_answer_finish(a, &len) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	iov.iov_len = len;
	return sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static void on_listen(void *opaque, uint32_t events);

/* Accept again: out of fds it stopped, and a client leaving gave one back. */
static void resume_listening(struct control_server *s)
{
	if (s->listening || event_loop_stopping(s->loop))
		return;
	s->listening = event_loop_add_host(s->loop, s->listen_fd, EPOLLIN, on_listen, s) == 0;
}

static void drop(struct control_client *c)
{
	event_loop_remove(c->server->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	resume_listening(c->server);
}

/* Every whole line the client sent, answered in order; -1 when it must go. */
static int answer_lines(struct control_client *c)
{
	struct control_server *s = c->server;
	enum control_line ev;
	const char *line;
	size_t len;

	while ((ev = control_lines_next(&c->lines, &line, &len)) != CONTROL_LINE_NONE) {
		if (ev == CONTROL_LINE_TOO_LONG)
			control_answer_too_long(&s->answer);
		else
			control_dispatch(s->handlers, line, len, &s->answer);
		if (send_answer(c->fd, &s->answer) < 0)
			return -1;
	}
	return 0;
}

/* One read a turn, at most a buffer's worth: a client flooding us waits its turn like the others. */
static void on_client(void *opaque, uint32_t events)
{
	struct control_client *c = opaque;
	size_t room;
	char *space = control_lines_space(&c->lines, &room);
	ssize_t n = read(c->fd, space, room);

	(void)events;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* End of input (a line without its newline is no request) or an error. */
	if (n <= 0) {
		drop(c);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &c->last);
	control_lines_added(&c->lines, (size_t)n);
	if (answer_lines(c) < 0)
		drop(c);
}

/* Refuse FD with an error answer, without waiting for it to be read. */
static void refuse(struct control_server *s, int fd, const char *code, const char *message)
{
	control_answer_fail(&s->answer, NULL, code, message);
	send_answer(fd, &s->answer);
	close(fd);
}

/* Capsule's own user or root, as the kernel says (SO_PEERCRED): nobody else gets a command. */
static bool peer_allowed(const struct control_server *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return false;
	return cred.uid == s->owner || cred.uid == 0;
}

/* A free slot; when all are taken, the one silent longest if that is over CONTROL_IDLE_SECONDS. */
static struct control_client *slot(struct control_server *s, const struct timespec *now)
{
	struct control_client *oldest = NULL;

	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		struct control_client *c = &s->clients[i];

		if (c->fd < 0)
			return c;
		if (!oldest || ms_between(&c->last, &oldest->last) > 0)
			oldest = c;
	}
	if (ms_between(&oldest->last, now) < CONTROL_IDLE_SECONDS * 1000)
		return NULL;
	drop(oldest);
	return oldest;
}

static void admit(struct control_server *s, int fd)
{
	struct control_client *c;
	struct timespec now;

	if (!peer_allowed(s, fd)) {
		refuse(s, fd, CONTROL_E_DENIED, "permission denied: only the user who started "
		       "capsule, and root, may control it");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	c = slot(s, &now);
	if (!c || event_loop_add_host(s->loop, fd, EPOLLIN, on_client, c) < 0) {
		refuse(s, fd, CONTROL_E_BUSY, "busy: too many clients connected; try again");
		return;
	}
	c->fd = fd;
	c->server = s;
	c->last = now;
	control_lines_init(&c->lines);
}

static void on_listen(void *opaque, uint32_t events)
{
	struct control_server *s = opaque;

	(void)events;
	for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			admit(s, fd);
		} else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* Readable until accepted: out of the loop until a client gives an fd back. */
			log_error("control socket: cannot accept: %s", strerror(errno));
			event_loop_remove(s->loop, s->listen_fd);
			s->listening = false;
			return;
		} else if (errno != ECONNABORTED && errno != EINTR) {
			return;
		}
	}
}

static int info_vm(void *opaque, const struct control_request *req, struct control_answer *a)
{
	struct control_server *s = opaque;
	struct timespec now;

	(void)req;
	clock_gettime(CLOCK_MONOTONIC, &now);
	control_info_vm(&s->info, (uint64_t)ms_between(&s->started, &now), a);
	return 0;
}

/* The orderly end's path, at once: vCPUs stopped, disks flushed, the cleanup process runs. */
static int kill_vm(void *opaque, const struct control_request *req, struct control_answer *a)
{
	struct control_server *s = opaque;

	(void)req;
	log_error("killed through the control socket");
	control_answer_u64(a, "exit_status", CONTROL_KILL_STATUS);
	event_loop_stop(s->loop, CONTROL_KILL_STATUS);
	return 0;
}

int control_server_start(struct control_server *s, struct event_loop *loop,
			 const struct control_vm_info *info, const struct timespec *started)
{
	int ret;

	if (s->listen_fd < 0)
		return 0;
	s->loop = loop;
	s->started = *started;
	s->info = *info;
	memcpy(s->info.socket, s->path, sizeof(s->path));
	s->info.pid = (long)getpid();
	if (!s->info.state)
		s->info.state = "running";
	if (!s->info.name && s->vm_name[0])
		s->info.name = s->vm_name;
	control_server_handle(s, CONTROL_INFO_VM, info_vm, s);
	control_server_handle(s, CONTROL_KILL, kill_vm, s);
	ret = event_loop_add_host(loop, s->listen_fd, EPOLLIN, on_listen, s);
	s->listening = ret == 0;
	return ret;
}

void control_server_handle(struct control_server *s, enum control_cmd cmd, control_fn fn,
			   void *opaque)
{
	s->handlers[cmd] = (struct control_handler){ fn, opaque };
}
