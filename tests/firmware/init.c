/* Test init for boot-under-qemu.sh: report the CPU count Linux sees, then end QEMU. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#define EXIT_PORT 0x501	/* GUEST_PORT_EXIT; QEMU's isa-debug-exit listens here */

/* Without X86_IOPL_IOPERM in the kernel, /dev/port reaches the same port. */
static void exit_via_dev_port(void)
{
	unsigned char zero = 0;
	int fd;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/port", O_WRONLY);
	if (fd < 0 || pwrite(fd, &zero, 1, EXIT_PORT) != 1)
		perror("init: /dev/port");
}

int main(void)
{
	printf("FIRMWARE-OK ncpus=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
	/* The console sends in the background: let it finish before QEMU is gone. */
	tcdrain(STDOUT_FILENO);
	if (ioperm(EXIT_PORT, 1, 1) == 0)
		outb(0, EXIT_PORT);
	else
		exit_via_dev_port();
	fprintf(stderr, "init: could not reach port %#x\n", EXIT_PORT);
	for (;;)
		pause();
}
