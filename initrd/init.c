/* The guest's init: mount the basics, open the console, run the shell or the workload, report its status. */
#include <errno.h>
#include <stdbool.h>
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

#include "abi/guest_port.h"
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

#define DEVICE_WAIT_MS 10000

/* The workload's stdin, stdout and stderr: virtio ports the monitor wires to its own. */
static const char *const port_names[3] = { "capsule.stdin", "capsule.stdout", "capsule.stderr" };

/* Point fds 0-2 at the console, for init's own messages and for the shell. */
static int open_console(const char *dev)
{
	int fd;

	fd = init_open_device(dev, O_RDWR | O_NOCTTY, DEVICE_WAIT_MS);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/* Wait for PID, reaping orphans too; its exit status, or -1 when a shutdown was requested. */
static int wait_for(pid_t pid)
{
	int status;

	for (;;) {
		pid_t got;

		/* Asked before we waited, or while: a signal cuts waitpid() short. */
		if (init_shutdown_requested())
			return -1;
		got = waitpid(-1, &status, 0);
		if (got == pid)
			break;
		if (got < 0 && errno == ECHILD)
			return 0;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Find the workload's ports; false when the monitor did not provide them. */
static bool find_ports(char ports[3][64])
{
	for (int i = 0; i < 3; i++)
		if (init_find_port(port_names[i], ports[i], sizeof(ports[i]), DEVICE_WAIT_MS) < 0) {
			fprintf(stderr, "init: no virtio port %s\n", port_names[i]);
			return false;
		}
	return true;
}

/* Run the workload (or the shell) and return its status; -1 when a shutdown was requested. */
static int run(const struct init_request *req)
{
	char ports[3][64];
	bool use_ports;
	const char *root = req->root ? init_mount_root(req->root, req->dns) : NULL;
	int status;
	pid_t pid;

	if ((req->root && !root) || init_copy_in(req, root) < 0)
		return 1;
	/* A workload whose host side is no terminal gets byte-exact ports instead of a tty. */
	use_ports = req->argv && !req->tty && find_ports(ports);
	if (req->argv && !req->tty && !use_ports)
		init_port_fail(GUEST_FAIL_PORTS);
	pid = fork();
	if (pid == 0)
		init_exec_workload(req, root, use_ports ? ports : NULL);
	if (pid < 0)
		init_port_fail(GUEST_FAIL_INIT);
	status = wait_for(pid);
	/* Shut down on request: the VM reports 0, whatever the workload's status then. */
	if (status < 0) {
		init_end_processes(req->argv ? 0 : pid);
		return 0;
	}
	/* After the command, whatever its status; a copy that failed fails a command that did not. */
	if (init_copy_out(req, root) < 0 && status == 0)
		status = 1;
	return status;
}

int main(void)
{
	struct init_request req;
	int status;

	init_shutdown_setup();
	mount_basics();
	sethostname("capsule", 7);
	init_port_mark();
	init_read_cmdline(&req);
	init_net_setup(&req);
	if (open_console(req.console) < 0)
		init_port_fail(GUEST_FAIL_CONSOLE);
	if (init_has_request() && init_read_request(&req) < 0)
		init_port_fail(GUEST_FAIL_REQUEST);
	if (req.rows && req.cols)
		ioctl(0, TIOCSWINSZ, &(struct winsize){ .ws_row = (unsigned short)req.rows,
							.ws_col = (unsigned short)req.cols });
	status = run(&req);
	sync();
	/* Let the console finish sending what the shell wrote before the VM ends. */
	tcdrain(1);
	init_port_exit(status);
	reboot(RB_AUTOBOOT);
	return 0;
}
