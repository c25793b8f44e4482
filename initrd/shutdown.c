/* The guest's orderly end: Ctrl-Alt-Del or busybox's poweroff asks, every process gets SIGTERM, then SIGKILL. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define GRACE_MS 5000		/* SIGTERM to SIGKILL: well inside the monitor's 10 s */
#define KILLED_WAIT_MS 1000	/* SIGKILL to giving up on the stragglers (stuck in the kernel) */
#define POLL_MS 10

static volatile sig_atomic_t requested;

static void on_request(int sig)
{
	(void)sig;
	requested = 1;
}

void init_shutdown_setup(void)
{
	/* No SA_RESTART: init's waitpid() must return to see the request. */
	struct sigaction sa = { .sa_handler = on_request };
	static const int signals[] = {
		SIGINT,		/* Ctrl-Alt-Del, once the kernel no longer reboots on it */
		SIGTERM,	/* busybox reboot */
		SIGUSR1,	/* busybox halt */
		SIGUSR2,	/* busybox poweroff */
	};

	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaction(signals[i], &sa, NULL);
	/* The kernel now sends init SIGINT on Ctrl-Alt-Del instead of rebooting at once. */
	if (reboot(RB_DISABLE_CAD) < 0)
		perror("init: reboot(RB_DISABLE_CAD)");
}

bool init_shutdown_requested(void)
{
	return requested;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = { 0, POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Reap until no process is left (true) or TIMEOUT_MS have passed (false), by
 * the clock: a busy or emulated guest sleeps far longer than POLL_MS a nap.
 */
static bool reap_all(unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		pid_t got;

		while ((got = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (got < 0 && errno == ECHILD)
			return true;
		if (now_ms() >= deadline)
			return false;
		nap();
	}
}

void init_end_processes(pid_t shell)
{
	kill(-1, SIGTERM);
	/* An interactive shell ignores SIGTERM: a hangup ends it, as when its terminal goes away. */
	if (shell > 0)
		kill(shell, SIGHUP);
	kill(-1, SIGCONT);	/* a stopped process acts on neither until it runs */
	if (reap_all(GRACE_MS))
		return;
	fprintf(stderr, "init: processes left %u s after SIGTERM: killing them\n", GRACE_MS / 1000);
	kill(-1, SIGKILL);
	reap_all(KILLED_WAIT_MS);
}
