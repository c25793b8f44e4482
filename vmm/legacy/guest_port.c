/* The monitor's own I/O ports: the guest's exit status, boot milestones, guest-side failures. */
#include "legacy/guest_port.h"

#include <string.h>

#include "abi/guest_port.h"
#include "log.h"

static const char *failure_name(uint8_t code)
{
	switch (code) {
	case GUEST_FAIL_BOOT_INFO:
		return "the firmware found no valid boot-info block";
	case GUEST_FAIL_INIT:
		return "the guest's init could not start the shell or command";
	case GUEST_FAIL_CONSOLE:
		return "the guest's init found no console device to open";
	case GUEST_FAIL_PORTS:
		return "the guest's init did not find the workload's virtio ports";
	case GUEST_FAIL_REQUEST:
		return "the guest's init could not read its request (what to run)";
	default:
		return "unknown guest failure";
	}
}

static void port_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct guest_port *gp = opaque;

	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	switch (GUEST_PORT_EXIT + offset) {
	case GUEST_PORT_EXIT:
		event_loop_stop(gp->vm->loop, data[0]);
		break;
	case GUEST_PORT_MARK:
		if (gp->on_mark)
			gp->on_mark(gp->opaque, data[0]);
		break;
	case GUEST_PORT_FAIL:
		log_error("%s (code %u)", failure_name(data[0]), data[0]);
		event_loop_stop(gp->vm->loop, EXIT_CAPSULE_RUNTIME);
		break;
	}
}

void guest_port_init(struct guest_port *gp, struct vm *vm,
		     void (*on_mark)(void *opaque, uint8_t mark), void *opaque)
{
	gp->vm = vm;
	gp->on_mark = on_mark;
	gp->opaque = opaque;
	if (io_bus_register(&vm->pio, GUEST_PORT_EXIT, GUEST_PORT_FAIL - GUEST_PORT_EXIT + 1,
			    port_io, gp) < 0)
		die("guest ports %#x-%#x already taken", GUEST_PORT_EXIT, GUEST_PORT_FAIL);
}
