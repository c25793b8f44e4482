/* The workload's process: its stdio, root, user, environment and directory, then exec. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

/* stdin, stdout and stderr on the workload's ports. */
static int open_ports(char dev[3][64])
{
	for (int i = 0; i < 3; i++) {
		int fd = open(dev[i], i == 0 ? O_RDONLY : O_WRONLY);

		if (fd < 0) {
			fprintf(stderr, "init: %s: %s\n", dev[i], strerror(errno));
			return -1;
		}
		if (fd != i) {
			dup2(fd, i);
			close(fd);
		}
	}
	return 0;
}

/* mkdir -p PATH (absolute), as the caller is: root, before it becomes the --user. */
static void make_dirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

/* The defaults, then -e's, in order: a later one of a name wins. */
static void set_environment(const struct init_request *req, const struct init_user *u)
{
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", u->home, 1);
	setenv("TERM", req->tty || !req->argv ? "linux" : "dumb", 1);
	setenv("HOSTNAME", "capsule", 1);
	for (size_t i = 0; i < req->env.n; i++) {
		char *eq = strchr(req->env.v[i], '=');

		if (!eq)
			continue;
		*eq = '\0';
		setenv(req->env.v[i], eq + 1, 1);
		*eq = '=';
	}
}

/* Into ROOT (NULL: stay), as the --user, in the -w directory or the user's home. */
static void enter(const struct init_request *req, const char *root, struct init_user *u)
{
	if (root && (chroot(root) < 0 || chdir("/") < 0)) {
		fprintf(stderr, "capsule: cannot enter the root image: %s\n", strerror(errno));
		_exit(126);
	}
	if (init_resolve_user(req->user, u) < 0)
		_exit(126);
	if (req->workdir)
		make_dirs(req->workdir);
	if (init_become_user(u) < 0)
		_exit(126);
	if (req->workdir ? chdir(req->workdir) < 0 : chdir(u->home) < 0 && chdir("/") < 0) {
		fprintf(stderr, "capsule: -w %s: %s\n", req->workdir ? req->workdir : u->home,
			strerror(errno));
		_exit(126);
	}
}

void init_exec_workload(const struct init_request *req, const char *root, char ports[3][64])
{
	static char *shell[] = { "/bin/sh", "-l", NULL };
	char **cmd = req->argv ? req->argv : shell;
	struct init_user u;

	setsid();
	if (ports) {
		if (open_ports(ports) < 0)
			_exit(126);
	} else {
		ioctl(0, TIOCSCTTY, 1);	/* the console, already on fds 0-2, as controlling terminal */
	}
	enter(req, root, &u);
	set_environment(req, &u);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	execvp(cmd[0], cmd);
	fprintf(stderr, "%s: %s\n", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}
