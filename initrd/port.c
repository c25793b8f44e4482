/* Init's side of the monitor's I/O ports (vmm/abi/guest_port.h). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <unistd.h>

#include "abi/guest_port.h"
#include "init.h"

static void port_write(unsigned short port, unsigned char value)
{
	static int allowed;

	if (!allowed) {
		if (ioperm(GUEST_PORT_EXIT, GUEST_PORT_FAIL - GUEST_PORT_EXIT + 1, 1) < 0) {
			perror("init: ioperm");
			return;
		}
		allowed = 1;
	}
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
