/* The control socket's file: its path, a stale one replaced, a live one refused, its removal at the end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/control_path.h"
#include "control/control_server.h"
#include "log.h"

_Static_assert(CONTROL_PATH_MAX < sizeof(((struct sockaddr_un *)0)->sun_path), "sun_path");

/* The server whose socket capsule removes if it exits before the hand-over (atexit has no argument). */
static struct control_server *at_exit_server;

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
	snprintf(err, errlen, "control socket %s: %s", path, why);
	return -1;
}

/* [control] socket, or the default directory and a name made from the VM's. */
static int socket_path(struct control_server *s, const struct config *cfg, bool unique,
		       char *path, size_t size, char *err, size_t errlen)
{
	char dir[PATH_MAX], name[NAME_MAX + 1];
	const char *vm = cfg->vm_name;
	int len;

	if (cfg->control_socket[0]) {
		/* The config checked its length already. */
		if (strlen(cfg->control_socket) >= size)
			return fail(err, errlen, cfg->control_socket, "path too long");
		strcpy(path, cfg->control_socket);
		return 0;
	}
	if (unique) {
		snprintf(s->vm_name, sizeof(s->vm_name), "capsule-%ld", (long)getpid());
		vm = s->vm_name;
	}
	if (control_default_dir(getenv("XDG_RUNTIME_DIR"), dir, sizeof(dir)) < 0 ||
	    control_file_name(vm, name, sizeof(name)) < 0)
		return fail(err, errlen, "(default)", "$XDG_RUNTIME_DIR is too long");
	len = snprintf(path, size, "%s/%s", dir, name);
	if (len < 0 || (size_t)len >= size || len > CONTROL_PATH_MAX) {
		snprintf(err, errlen, "control socket %s/%s: longer than a socket address holds "
			 "(%d bytes): set [control] socket", dir, name, CONTROL_PATH_MAX);
		return -1;
	}
	return 0;
}

/*
 * The socket's directory, opened O_PATH; MAKE (the default directory): made
 * 0700 when missing (its parent must exist). A directory the config names
 * must exist.
 */
static int open_dir(struct control_server *s, const char *path, bool make, char *err,
		    size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	snprintf(s->name, sizeof(s->name), "%s", slash ? slash + 1 : path);
	/* errno stays the failure's, for the caller. */
	if ((make && mkdir(dir, 0700) < 0 && errno != EEXIST) || access(dir, W_OK | X_OK) < 0) {
		int e = errno;

		snprintf(err, errlen, "control socket %s: %s: %s", path, dir, strerror(e));
		errno = e;
		return -1;
	}
	s->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0) {
		int e = errno;

		snprintf(err, errlen, "control socket %s: %s: %s", path, dir, strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * Whatever has the socket's name: nothing, a stale socket (removed), or a
 * live one, a busy one or anything else (refused).
 */
static int clear_the_way(struct control_server *s, const struct sockaddr_un *addr, char *err,
			 size_t errlen)
{
	struct stat st;
	int fd, ret;

	if (fstatat(s->dir_fd, s->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail(err, errlen, addr->sun_path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(err, errlen, addr->sun_path, "exists and is not a socket (left alone)");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, addr->sun_path, strerror(errno));
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	if (ret == 0 || errno == EAGAIN) {
		close(fd);
		return fail(err, errlen, addr->sun_path, "already running (a VM answers there; "
			    "give this one another [vm] name or [control] socket)");
	}
	ret = errno;
	close(fd);
	if (ret != ECONNREFUSED)
		return fail(err, errlen, addr->sun_path, strerror(ret));
	/* Nobody listens: what a capsule that could not remove it left behind. */
	if (unlinkat(s->dir_fd, s->name, 0) < 0 && errno != ENOENT)
		return fail(err, errlen, addr->sun_path, strerror(errno));
	return 0;
}

/* Bound with mode 0600 from the start (umask), listening, non-blocking. */
static int bind_listen(struct control_server *s, const struct sockaddr_un *addr, char *err,
		       size_t errlen)
{
	struct stat st;
	mode_t old;
	int ret;

	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return fail(err, errlen, addr->sun_path, strerror(errno));
	old = umask(0177);
	ret = bind(s->listen_fd, (const struct sockaddr *)addr, sizeof(*addr));
	umask(old);
	if (ret < 0)
		return fail(err, errlen, addr->sun_path, errno == EADDRINUSE ? "already running"
									: strerror(errno));
	if (fstatat(s->dir_fd, s->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    listen(s->listen_fd, 2 * CONTROL_CLIENTS_MAX) < 0)
		return fail(err, errlen, addr->sun_path, strerror(errno));
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

/* At exit before the hand-over (a start-up failure): the socket goes with capsule. */
static void remove_at_exit(void)
{
	struct control_server *s = at_exit_server;
	struct stat st;

	if (!s || s->handed_over || s->listen_fd < 0)
		return;
	if (fstatat(s->dir_fd, s->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlinkat(s->dir_fd, s->name, 0);
}

int control_server_open(struct control_server *s, const struct config *cfg, bool unique,
			char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	memset(s, 0, sizeof(*s));
	s->listen_fd = s->dir_fd = -1;
	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX; i++)
		s->clients[i].fd = -1;
	if (!cfg->control)
		return 0;
	s->owner = getuid();
	if (socket_path(s, cfg, unique, addr.sun_path, sizeof(addr.sun_path), err, errlen) < 0)
		return -1;
	if (open_dir(s, addr.sun_path, !cfg->control_socket[0], err, errlen) < 0) {
		/*
		 * The default directory out of this user's reach (no
		 * $XDG_RUNTIME_DIR, not root): the VM runs without a socket,
		 * and says so. A socket the config names must be there.
		 */
		if (!cfg->control_socket[0] && (errno == EACCES || errno == EPERM || errno == EROFS)) {
			log_error("%s: no control socket (set [control] socket, or enabled = false)",
				  err);
			return 0;
		}
		return -1;
	}
	if (clear_the_way(s, &addr, err, errlen) < 0)
		return -1;
	if (bind_listen(s, &addr, err, errlen) < 0) {
		if (s->listen_fd >= 0)
			close(s->listen_fd);
		s->listen_fd = -1;
		return -1;
	}
	snprintf(s->path, sizeof(s->path), "%s", addr.sun_path);
	at_exit_server = s;
	log_at_exit(remove_at_exit);
	return 0;
}

void control_server_hand_over(struct control_server *s, struct cleanup_file *f)
{
	f->dir_fd = s->listen_fd >= 0 ? s->dir_fd : -1;
	snprintf(f->name, sizeof(f->name), "%s", s->name);
	f->dev = s->dev;
	f->ino = s->ino;
	s->handed_over = true;
}
