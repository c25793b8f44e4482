/* Unit tests of the guest command line. */
#include "check.h"
#include "cmdline.h"

static void shell(void)
{
	char buf[512];

	CHECK(cmdline_build(buf, sizeof(buf), false, false, NULL, "") == 0);
	CHECK(strstr(buf, "quiet console=hvc0 ") == buf);
	CHECK(strstr(buf, "reboot=k") != NULL);
	CHECK(strstr(buf, " pci=off") != NULL);
	CHECK(cmdline_build(buf, sizeof(buf), false, true, "virtio_mmio.device=0x200@0xd0000000:5", "foo=1") == 0);
	CHECK(strstr(buf, " foo=1") != NULL && buf[strlen(buf) - 1] == '1');
	CHECK(strstr(buf, " virtio_mmio.device=0x200@0xd0000000:5 ") != NULL);
	CHECK(strstr(buf, "pci=") == NULL);	/* a VM with PCI devices lets the kernel find the bus */
}

static void workload(void)
{
	char buf[512];

	CHECK(cmdline_build(buf, sizeof(buf), true, false, NULL, NULL) == 0);
	CHECK(strstr(buf, "quiet loglevel=1 ") == buf);
	/* The command itself never rides here: it has no size limit in its own channel. */
	CHECK(strstr(buf, "capsule.argv") == NULL);
}

static void overflow(void)
{
	char buf[80];

	CHECK(cmdline_build(buf, sizeof(buf), false, false, NULL, "a-long-append-that-will-not-fit-in-80") < 0);
	CHECK(cmdline_build(buf, 0, false, false, NULL, NULL) < 0);
}

int main(void)
{
	RUN(shell);
	RUN(workload);
	RUN(overflow);
	return CHECK_SUMMARY();
}
