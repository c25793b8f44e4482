/* The virtio-console device model: multiport, port 0 the guest's hvc0, named ports its /dev/vport0pN. */
#ifndef CAPSULE_VIRTIO_CONSOLE_H
#define CAPSULE_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "guest_mem.h"
#include "virtio/virtio_mmio.h"
#include "virtio/virtqueue.h"

/*
 * Ports, port 0 included. Port P has the queues rx 2P+2 and tx 2P+3 (port 0:
 * rx 0, tx 1; the control queues are 2 and 3), and Linux sets up all of them:
 * N ports need 2N+2 transport queues (VIRTIO_MMIO_QUEUES_MAX).
 */
#define VIRTIO_CONSOLE_PORTS_MAX 8
#define VIRTIO_CONSOLE_NAME_MAX 64		/* a port name's bytes, NUL included */
#define VIRTIO_CONSOLE_DATA_QUEUE_SIZE 64	/* Linux posts a page per rx entry */
#define VIRTIO_CONSOLE_CTRL_QUEUE_SIZE 32
#define VIRTIO_CONSOLE_CTRL_PENDING 64		/* messages waiting for control rx buffers */

/*
 * The host side of the ports: a terminal, pipes, files; the device never
 * knows which. Every callback runs with the device lock held, normally on the
 * I/O thread, and must not call the virtio_console_* functions below (they
 * take the lock): note what happened, write an eventfd, re-arm an fd.
 */
struct virtio_console_backend {
	/*
	 * Guest -> host bytes on PORT. Returns how many of them it took; fewer
	 * than offered holds the rest in the device (and the guest's writes back
	 * up; a vCPU writing to hvc0 spins meanwhile) until
	 * virtio_console_output_ready(). Required. Also called on a
	 * vCPU thread for an emergency write (config emerg_wr: one byte for port
	 * 0, dropped if not taken).
	 */
	size_t (*output)(void *opaque, unsigned port, const struct iovec *iov, int iovcnt);
	/*
	 * virtio_console_input() turned bytes for PORT away and the port can take
	 * some now (the guest posted receive buffers, or opened the port): call
	 * it again. May be NULL.
	 */
	void (*room)(void *opaque, unsigned port);
	/*
	 * A guest process opened (true) or closed (false) PORT; port 0 opens when
	 * the guest's hvc0 comes up. A close is the guest's end of file: it is
	 * reported after every byte the guest wrote before it went to output().
	 * On a vCPU thread: false when the driver resets the device, true for
	 * port 0 at DRIVER_OK when the driver has no MULTIPORT. May be NULL.
	 */
	void (*guest_open)(void *opaque, unsigned port, bool open);
	void *opaque;
};

/* One port's state; the device's own, guarded by the device lock. */
struct virtio_console_port {
	char name[VIRTIO_CONSOLE_NAME_MAX];	/* "" for none */
	bool host_open;			/* virtio_console_host_open(); kept across guest resets */
	bool ready;			/* the guest sent PORT_READY: it knows the port */
	bool guest_open;		/* the guest's last PORT_OPEN */
	bool reported_open;		/* what backend.guest_open() last said */
	bool starved;			/* input was turned away: room() is owed */
	bool tx_held;			/* tx_elem is a chain output() took only part of */
	bool tx_deferred;		/* tx chains left for a later turn (the budget ran out) */
	uint32_t tx_done;		/* bytes of tx_elem already taken */
	struct virtqueue_elem tx_elem;
	struct iovec tx_iov[VIRTIO_CONSOLE_DATA_QUEUE_SIZE];
};

/* A control message for the guest, waiting for a buffer; names and sizes are read when sent. */
struct virtio_console_ctrl_msg {
	uint32_t id;
	uint16_t event, value;
};

struct virtio_console {
	struct virtio_mmio_dev *dev;
	struct virtio_device_ops ops;	/* the type's table with this device's queue count */
	struct virtio_console_backend backend;
	unsigned nports;
	uint16_t cols, rows;		/* port 0's size; 0: unknown */
	bool live;			/* activated, and not broken by the guest since */
	bool multiport;			/* VIRTIO_CONSOLE_F_MULTIPORT negotiated */
	struct virtio_console_port ports[VIRTIO_CONSOLE_PORTS_MAX];
	struct virtio_console_ctrl_msg ctrl[VIRTIO_CONSOLE_CTRL_PENDING];
	unsigned ctrl_head, ctrl_len;	/* a ring of waiting messages */
};

/*
 * Set C up as a console of NPORTS ports over DEV (which it initializes with
 * virtio_mmio_init(); register DEV on the MMIO bus afterwards). NAMES[P] names
 * port P, shown to the guest as /sys/class/virtio-ports/vport0pP/name: 1 to
 * VIRTIO_CONSOLE_NAME_MAX-1 printable characters, no '/' or space, no two
 * alike; required for P >= 1, optional (NULL or "") for port 0. Every port
 * starts closed on the host side. C must stay put while DEV is in use.
 * Returns 0, -EINVAL (a bad argument, or more ports than the transport has
 * queues for), or -errno from virtio_mmio_init(). Start-up.
 */
int virtio_console_init(struct virtio_console *c, struct virtio_mmio_dev *dev,
			const struct guest_mem *mem, const struct virtio_mmio_host *host,
			unsigned nports, const char *const *names,
			const struct virtio_console_backend *backend);

void virtio_console_destroy(struct virtio_console *c);

/*
 * The host-side entry points below take the device lock: call them from any
 * thread (normally the I/O thread), never from a backend callback.
 */

/*
 * Host -> guest: copy up to LEN bytes of BUF into the buffers the guest posted
 * on PORT. Returns how many it took: fewer than LEN (0 included) when the
 * guest has no buffers posted, has no process holding the port open (the
 * guest would throw the bytes away) or the device is not running; room() then
 * tells when to try again. -EINVAL for a bad PORT.
 */
ssize_t virtio_console_input(struct virtio_console *c, unsigned port, const void *buf, size_t len);

/*
 * Open or close PORT on the host side; the guest learns it (PORT_OPEN). A
 * guest reader of a closed named port reads end of file once it has consumed
 * what it was sent: close after virtio_console_input() took the last byte.
 * Guest writers of a named port wait while it is closed. Port 0 (hvc0) ignores
 * it. 0, or -EINVAL for a bad PORT.
 */
int virtio_console_host_open(struct virtio_console *c, unsigned port, bool open);

/* The backend can take output for PORT again after output() took less than offered. */
void virtio_console_output_ready(struct virtio_console *c, unsigned port);

/* Port 0's terminal size changed: config space, and a RESIZE message once the guest has hvc0. */
void virtio_console_resize(struct virtio_console *c, uint16_t cols, uint16_t rows);

#endif
