/* Init's side of the monitor's I/O ports (vmm/abi/guest_port.h). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <unistd.h>

#include "abi/guest_port.h"
#include "init.h"

static sigjmp_buf probe_jump;

static void on_probe_fault(int sig)
{
	(void)sig;
	siglongjmp(probe_jump, 1);
}

/*
 * The first write runs under a SIGSEGV handler: under another VMM the port
 * write can fault even after ioperm() (QEMU's pc and q35 machines do, nested),
 * and init must then go on without the ports rather than die and panic the
 * kernel. Returns whether the write went through.
 */
static int probe_write(unsigned short port, unsigned char value)
{
	struct sigaction probe = { .sa_handler = on_probe_fault }, old;
	volatile int done = 0;

	if (ioperm(GUEST_PORT_EXIT, GUEST_PORT_FAIL - GUEST_PORT_EXIT + 1, 1) < 0) {
		perror("init: ioperm");
		return 0;
	}
	sigemptyset(&probe.sa_mask);
	sigaction(SIGSEGV, &probe, &old);
	if (sigsetjmp(probe_jump, 1) == 0) {
		outb(value, port);
		done = 1;
	} else {
		fprintf(stderr, "init: port 0x%x faults: going on without the monitor's ports\n", port);
	}
	sigaction(SIGSEGV, &old, NULL);
	return done;
}

static void port_write(unsigned short port, unsigned char value)
{
	static int usable;	/* 0 not tried yet, 1 yes, -1 no */

	if (!usable)
		usable = probe_write(port, value) ? 1 : -1;
	else if (usable > 0)
		outb(value, port);
}

void init_port_mark(void)
{
	port_write(GUEST_PORT_MARK, GUEST_MARK_INIT);
}

void init_port_exit(int status)
{
	port_write(GUEST_PORT_EXIT, (unsigned char)status);
}

void init_port_fail(int code)
{
	port_write(GUEST_PORT_FAIL, (unsigned char)code);
	for (;;)
		pause();
}
