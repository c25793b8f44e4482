/* Unit tests of the guest command line and its encoding of the workload. */
#include "check.h"
#include "cmdline.h"

static void shell(void)
{
	char buf[512];

	CHECK(cmdline_build(buf, sizeof(buf), NULL, false, false, NULL, "") == 0);
	CHECK(strstr(buf, "quiet console=hvc0 ") == buf);
	CHECK(strstr(buf, "reboot=k") != NULL);
	CHECK(strstr(buf, "capsule.argv") == NULL);
	CHECK(strstr(buf, " pci=off") != NULL);
	CHECK(cmdline_build(buf, sizeof(buf), NULL, false, true, "virtio_mmio.device=0x200@0xd0000000:5", "foo=1") == 0);
	CHECK(strstr(buf, " foo=1") != NULL && buf[strlen(buf) - 1] == '1');
	CHECK(strstr(buf, " virtio_mmio.device=0x200@0xd0000000:5 ") != NULL);
	CHECK(strstr(buf, "pci=") == NULL);	/* a VM with PCI devices lets the kernel find the bus */
}

static void workload(void)
{
	char buf[512];
	char *argv[] = { "sh", "-c", "exit 7", "", NULL };

	CHECK(cmdline_build(buf, sizeof(buf), argv, true, false, NULL, NULL) == 0);
	CHECK(strstr(buf, " capsule.argv=7368,2d63,657869742037, capsule.tty=1") != NULL);
	CHECK(strstr(buf, "loglevel=1") != NULL);
}

static void overflow(void)
{
	char buf[80];
	char *argv[] = { "a-very-long-argument-that-will-not-fit", NULL };

	CHECK(cmdline_build(buf, sizeof(buf), argv, false, false, NULL, NULL) < 0);
	CHECK(cmdline_build(buf, 0, NULL, false, false, NULL, NULL) < 0);
}

int main(void)
{
	RUN(shell);
	RUN(workload);
	RUN(overflow);
	return CHECK_SUMMARY();
}
