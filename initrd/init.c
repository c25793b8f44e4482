/* The guest's init: mount the basics, open the console, run the shell or the workload, report its status. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

static void mount_one(const char *src, const char *dir, const char *type, unsigned long flags,
		      const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, flags, opts) < 0 && errno != EBUSY)
		fprintf(stderr, "init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static void mount_basics(void)
{
	mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mount_one("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,ptmxmode=0666");
	mount_one("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mount_one("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
}

/*
 * Make the console the session's terminal. For a workload whose host side is
 * not a terminal, output must reach the host byte for byte (no "\n" to "\r\n")
 * and input must not echo; ICANON stays so that the ^D the monitor sends at the
 * end of its input reads as end-of-file.
 */
static int open_console(const char *dev, int raw)
{
	struct termios t;
	int fd = open(dev, O_RDWR | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (raw && tcgetattr(fd, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)OPOST;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ISIG | IEXTEN);
		t.c_iflag &= ~(tcflag_t)(ICRNL | IXON);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

static void child_exec(int console, char **argv)
{
	static char *shell[] = { "/bin/sh", "-l", NULL };
	char **cmd = argv ? argv : shell;

	setsid();
	ioctl(console, TIOCSCTTY, 1);
	dup2(console, 0);
	dup2(console, 1);
	dup2(console, 2);
	if (console > 2)
		close(console);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", argv ? "dumb" : "linux", 1);
	if (chdir("/root") < 0)
		chdir("/");
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	execvp(cmd[0], cmd);
	fprintf(stderr, "%s: %s\n", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static volatile sig_atomic_t shutdown_requested;

/* busybox's poweroff, reboot and halt signal init; any of them ends the VM. */
static void on_shutdown_signal(int sig)
{
	(void)sig;
	shutdown_requested = 1;
}

/* Wait for PID, reaping orphans too; its exit status, or 0 if asked to shut down. */
static int wait_for(pid_t pid)
{
	int status;

	for (;;) {
		pid_t got = waitpid(-1, &status, 0);

		if (got == pid)
			break;
		if (got < 0 && errno == EINTR && shutdown_requested)
			return 0;
		if (got < 0 && errno == ECHILD)
			return 0;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(void)
{
	struct init_request req;
	struct sigaction sa = { .sa_handler = on_shutdown_signal };
	int console, status;
	pid_t pid;

	mount_basics();
	sethostname("capsule", 7);
	init_read_request(&req);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	console = open_console(req.console, req.argv && !req.tty);
	if (console < 0) {
		fprintf(stderr, "init: cannot open %s: %s\n", req.console, strerror(errno));
		init_port_fail();
	}
	/* The console is open and set up: the monitor may send input now. */
	init_port_mark();
	pid = fork();
	if (pid == 0)
		child_exec(console, req.argv);
	if (pid < 0)
		init_port_fail();
	status = wait_for(pid);
	sync();
	/* Let the console finish sending the workload's output before the VM ends. */
	tcdrain(console);
	init_port_exit(status);
	reboot(RB_AUTOBOOT);
	return 0;
}
