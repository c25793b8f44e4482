/* The guest kernel's command line: console, reboot method, devices. */
#include "cmdline.h"

#include <string.h>

/*
 * console=hvc0: the virtio-console; earlycon: COM1 until hvc0 is up.
 * reboot=k: reboot through the i8042 reset line, which ends the VM.
 * panic=-1: a panic reboots at once instead of hanging.
 * no_timer_check, tsc=reliable: skip IOAPIC timer and TSC checks, which cost
 * many VM exits and nothing on a virtual platform.
 * pci=off, unless the VM has PCI devices (legacy NICs): probing for a bus
 * that is not there costs exits (images/kernel-patches keeps it quiet).
 */
static const char base[] = "console=hvc0 earlycon=uart8250,io,0x3f8 "
	"reboot=k panic=-1 no_timer_check tsc=reliable";

struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->full || o->len + n >= o->size) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n + 1);
	o->len += n;
}

int cmdline_build(char *buf, size_t size, bool workload, bool pci, const char *devices,
		  const char *append)
{
	struct out o = { buf, size, 0, size == 0 };

	/*
	 * quiet keeps kernel messages off the console; a workload's wants only
	 * panics. First, so that they hold from the first early console line.
	 */
	put(&o, workload ? "quiet loglevel=1 " : "quiet ");
	put(&o, base);
	if (!pci)
		put(&o, " pci=off");
	if (devices && *devices) {
		put(&o, " ");
		put(&o, devices);
	}
	if (append && *append) {
		put(&o, " ");
		put(&o, append);
	}
	return o.full ? -1 : 0;
}
