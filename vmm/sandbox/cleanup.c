/* The cleanup process: puts back what capsule changed on the host (taps, its control socket) when capsule ends, however it ends. */
#include "sandbox/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "sandbox/seccomp.h"

/* Keep only CAP_NET_ADMIN, when there is anything to keep (capsule may run without). */
static void keep_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	for (int cap = 0; cap <= 63; cap++)
		if (cap != CAP_NET_ADMIN)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (syscall(SYS_capget, &h, d) < 0)
		return;
	d[0].effective &= 1u << CAP_NET_ADMIN;
	d[0].permitted &= 1u << CAP_NET_ADMIN;
	d[0].inheritable = d[1].effective = d[1].permitted = d[1].inheritable = 0;
	syscall(SYS_capset, &h, d);
}

/* The socket, if its name still holds what capsule made (a newer capsule's is left alone). */
static void remove_file(const struct cleanup_file *f)
{
	struct stat st;

	if (f->dir_fd < 0)
		return;
	if (fstatat(f->dir_fd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != f->dev ||
	    st.st_ino != f->ino)
		return;
	if (unlinkat(f->dir_fd, f->name, 0) < 0 && errno != ENOENT)
		log_error("cannot remove '%s': %s", f->name, strerror(errno));
}

/* The process itself: nothing open but PIPE, SOCK, FILE's directory and stderr; then wait, undo, end. */
static noreturn void run(int pipe_fd, int sock, const struct netif_restore *r, unsigned n,
			 const struct cleanup_file *file)
{
	ssize_t got;
	char byte;

	for (int fd = 3; fd < 4096; fd++)
		if (fd != pipe_fd && fd != sock && fd != file->dir_fd)
			close(fd);
	/* The user's Ctrl-C is for capsule: this one still has to put things back. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	prctl(PR_SET_NAME, "capsule-cleanup", 0, 0, 0);
	keep_net_admin();
	seccomp_enter_or_die(SECCOMP_KIND_cleanup);
	/* Nobody writes: the read ends when capsule's end of the pipe closes, however it ends. */
	do
		got = read(pipe_fd, &byte, 1);
	while (got > 0 || (got < 0 && errno == EINTR));
	for (unsigned i = 0; i < n; i++) {
		int e = netif_restore(sock, &r[i]);

		if (e < 0)
			log_error("cannot put tap '%s' back as it was: %s", r[i].name, strerror(-e));
	}
	remove_file(file);
	_exit(0);
}

int cleanup_start(struct cleanup *c, const struct netif_restore *restores, unsigned n,
		  const struct cleanup_file *file, char *err, size_t errlen)
{
	static const struct cleanup_file none = { .dir_fd = -1 };
	int p[2], sock = -1;

	c->pid = 0;
	c->pipe_fd = -1;
	if (!file)
		file = &none;
	if (!n && file->dir_fd < 0)
		return 0;
	if ((n && (sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) ||
	    pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cleanup process: %s", strerror(errno));
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		snprintf(err, errlen, "cleanup process: fork: %s", strerror(errno));
		return -1;
	}
	if (c->pid == 0)
		run(p[0], sock, restores, n, file);
	close(p[0]);
	if (sock >= 0)
		close(sock);
	c->pipe_fd = p[1];
	return 0;
}

void cleanup_finish(struct cleanup *c)
{
	if (!c->pid)
		return;
	close(c->pipe_fd);
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}
