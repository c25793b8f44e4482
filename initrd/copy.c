/* --copy-in and --copy-out in the guest: busybox tar between the copy ports and the workload's root. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abi/run_request.h"
#include "init.h"

#define PORT_WAIT_MS 10000
#define HOST_DONE_MS 60000	/* the host closes its side as soon as it has the stream */

static const char busybox[] = "/bin/busybox";
static uid_t chown_uid;
static gid_t chown_gid;

/* In a child: stdin or stdout on FD, into ROOT, then busybox's tar with ARGV (argv[0] "tar"). */
static void exec_tar(int fd, int which, const char *root, char **argv)
{
	/* busybox lives in the initrd: opened before leaving it, run from the fd. */
	int bb = open(busybox, O_RDONLY | O_CLOEXEC);

	if (bb < 0 || dup2(fd, which) < 0 || (root && chroot(root) < 0) || chdir("/") < 0) {
		fprintf(stderr, "capsule: copy: %s\n", strerror(errno));
		_exit(1);
	}
	fexecve(bb, argv, (char *[]){ "PATH=/bin", NULL });
	fprintf(stderr, "capsule: copy: busybox tar: %s\n", strerror(errno));
	_exit(1);
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (lchown(path, chown_uid, chown_gid) < 0)
		fprintf(stderr, "capsule: --copy-in: chown %s: %s\n", path, strerror(errno));
	return 0;
}

/* In a child, in ROOT: the copied trees belong to the --user (busybox made them root's). */
static void give_to_user(const struct init_request *req, const char *root)
{
	struct init_user u;

	if ((root && chroot(root) < 0) || chdir("/") < 0 || init_resolve_user(req->user, &u) < 0)
		_exit(1);
	chown_uid = u.uid;
	chown_gid = u.gid;
	for (size_t i = 0; i < req->copy_in.n; i++)
		nftw(req->copy_in.v[i], chown_one, 16, FTW_PHYS);
	_exit(0);
}

int init_copy_in(const struct init_request *req, const char *root)
{
	char *argv[] = { "tar", "-x", "-f", "-", "-C", "/", NULL };
	char dev[64];
	pid_t pid;
	int fd, ok;

	if (!req->copy_in.n)
		return 0;
	if (init_find_port(RUN_COPY_IN_PORT, dev, sizeof(dev), PORT_WAIT_MS) < 0 ||
	    (fd = init_open_device(dev, O_RDONLY | O_CLOEXEC, PORT_WAIT_MS)) < 0) {
		fprintf(stderr, "capsule: --copy-in: no port %s\n", RUN_COPY_IN_PORT);
		return -1;
	}
	pid = fork();
	if (pid == 0)
		exec_tar(fd, 0, root, argv);
	ok = pid > 0 && wait_child(pid) == 0;
	close(fd);
	if (ok && req->user) {
		pid = fork();
		if (pid == 0)
			give_to_user(req, root);
		ok = pid > 0 && wait_child(pid) == 0;
	}
	if (!ok)
		fprintf(stderr, "capsule: --copy-in failed\n");
	return ok ? 0 : -1;
}

/* The host closes its side of DEV once it has the whole stream: wait for that. */
static void wait_host_done(const char *dev)
{
	int fd = init_open_device(dev, O_RDONLY | O_CLOEXEC, PORT_WAIT_MS);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	/* A closed host side reads as end of file; data here would be the host's mistake. */
	while (fd >= 0 && poll(&p, 1, HOST_DONE_MS) > 0 && read(fd, &c, 1) > 0)
		;
	if (fd >= 0)
		close(fd);
}

/* ARGV's paths that exist in ROOT; those that do not are said, and make *FAILED true. */
static size_t existing(const struct init_request *req, const char *root, char **argv, bool *failed)
{
	size_t n = 0;

	for (size_t i = 0; i < req->copy_out.n; i++) {
		const char *path = *req->copy_out.v[i] ? req->copy_out.v[i] : ".";
		char full[4400];
		struct stat st;

		snprintf(full, sizeof(full), "%s/%s", root ? root : "", path);
		if (lstat(full, &st) == 0) {
			argv[n++] = (char *)path;
			continue;
		}
		fprintf(stderr, "capsule: --copy-out /%s: %s\n", req->copy_out.v[i], strerror(errno));
		*failed = true;
	}
	return n;
}

/* Tar what exists of the copy-out paths to FD (an empty archive when nothing does); 0 or -1. */
static int send_tar(const struct init_request *req, const char *root, int fd)
{
	char **argv = calloc(req->copy_out.n + 5, sizeof(*argv));
	static const char end[1024];	/* a tar archive's end: two zero blocks */
	bool failed = false;
	size_t n;
	pid_t pid;

	if (!argv)
		return -1;
	argv[0] = "tar";
	argv[1] = "-c";
	argv[2] = "-f";
	argv[3] = "-";
	n = existing(req, root, argv + 4, &failed);
	if (n == 0) {
		failed |= write(fd, end, sizeof(end)) != (ssize_t)sizeof(end);
	} else {
		pid = fork();
		if (pid == 0)
			exec_tar(fd, 1, root, argv);
		if (pid < 0 || wait_child(pid) < 0) {
			fprintf(stderr, "capsule: --copy-out: busybox tar failed\n");
			failed = true;
		}
	}
	free(argv);
	return failed ? -1 : 0;
}

static bool host_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	if (poll(&p, 1, 0) < 0 || !(p.revents & POLLHUP))
		return false;
	fprintf(stderr, "capsule: --copy-out: the host took a stream already, not init's\n");
	return true;
}

int init_copy_out(const struct init_request *req, const char *root)
{
	char dev[64];
	int fd, ret;

	if (!req->copy_out.n)
		return 0;
	if (init_find_port(RUN_COPY_OUT_PORT, dev, sizeof(dev), PORT_WAIT_MS) < 0 ||
	    (fd = init_open_device(dev, O_RDWR | O_CLOEXEC, PORT_WAIT_MS)) < 0) {
		fprintf(stderr, "capsule: --copy-out: no port %s\n", RUN_COPY_OUT_PORT);
		return -1;
	}
	/* The host side hangs up after one stream: one the command sent itself, it may be. */
	ret = host_gone(fd) ? -1 : send_tar(req, root, fd);
	close(fd);
	wait_host_done(dev);
	return ret;
}
