/* The virtio-console control queues: port discovery, names, open/close both ways, resize. */
#include <endian.h>
#include <string.h>

#include <linux/virtio_console.h>

#include "log.h"
#include "util/iov.h"
#include "virtio/virtio_console_impl.h"

/* The longest message: a header and a name (Linux takes the name's length from the used length). */
#define CTRL_MSG_MAX (sizeof(struct virtio_console_control) + VIRTIO_CONSOLE_NAME_MAX)

void virtio_console_ctrl_send(struct virtio_console *c, unsigned port, uint16_t event,
			      uint16_t value)
{
	/*
	 * Only a driver that never posts control buffers yet keeps asking
	 * (DEVICE_READY over and over) fills this: its loss.
	 */
	if (c->ctrl_len == VIRTIO_CONSOLE_CTRL_PENDING) {
		log_debug("virtio-console: control messages pile up, event %u for port %u dropped",
			  event, port);
		return;
	}
	c->ctrl[(c->ctrl_head + c->ctrl_len) % VIRTIO_CONSOLE_CTRL_PENDING] =
		(struct virtio_console_ctrl_msg){ .id = port, .event = event, .value = value };
	c->ctrl_len++;
	virtio_console_ctrl_flush(c);
}

/* Lay message M out in OUT (CTRL_MSG_MAX bytes) as the guest reads it; returns its length. */
static size_t ctrl_build(const struct virtio_console *c, const struct virtio_console_ctrl_msg *m,
			 uint8_t *out)
{
	struct virtio_console_control h = {
		.id = htole32(m->id),
		.event = htole16(m->event),
		.value = htole16(m->value),
	};
	size_t n = sizeof(h);

	memcpy(out, &h, n);
	if (m->event == VIRTIO_CONSOLE_PORT_NAME) {
		size_t len = strlen(c->ports[m->id].name);

		memcpy(out + n, c->ports[m->id].name, len);	/* no NUL: Linux adds one */
		n += len;
	} else if (m->event == VIRTIO_CONSOLE_RESIZE) {
		uint16_t size[2] = { htole16(c->cols), htole16(c->rows) };

		memcpy(out + n, size, sizeof(size));
		n += sizeof(size);
	}
	return n;
}

void virtio_console_ctrl_flush(struct virtio_console *c)
{
	struct virtqueue *vq = &c->dev->vqs[VIRTIO_CONSOLE_CTRL_RXQ];
	struct iovec iov[VIRTIO_CONSOLE_CTRL_QUEUE_SIZE];
	struct virtqueue_elem e = { .iov = iov, .iov_cap = VIRTIO_CONSOLE_CTRL_QUEUE_SIZE };
	uint8_t msg[CTRL_MSG_MAX];
	bool pushed = false;
	size_t n;
	int r;

	while (c->live && c->multiport && c->ctrl_len) {
		r = virtqueue_pop(vq, &e);
		if (r == 0)
			break;	/* the rest waits for the driver to post buffers */
		/* A buffer too short for a header: the driver cannot read any message. */
		if (r < 0 || e.n_readable || e.writable_len < sizeof(struct virtio_console_control)) {
			log_debug("virtio-console: bad control rx chain (%d)", r);
			virtio_console_fail(c);
			break;
		}
		n = ctrl_build(c, &c->ctrl[c->ctrl_head], msg);
		n = iov_from_buf(iov, e.n_writable, 0, msg, n);	/* a long name may be cut */
		virtqueue_push(vq, e.head, (uint32_t)n);
		c->ctrl_head = (c->ctrl_head + 1) % VIRTIO_CONSOLE_CTRL_PENDING;
		c->ctrl_len--;
		pushed = true;
	}
	if (pushed)
		virtio_mmio_signal_used(c->dev, VIRTIO_CONSOLE_CTRL_RXQ);
}

/* The driver set the port up (VALUE 1) or failed to: tell it what the port is. */
static void port_ready(struct virtio_console *c, unsigned port, uint16_t value)
{
	struct virtio_console_port *p = &c->ports[port];

	p->ready = value != 0;
	if (!p->ready) {
		log_debug("virtio-console: the guest could not add port %u", port);
		return;
	}
	if (port == 0)
		virtio_console_ctrl_send(c, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	if (p->host_open)
		virtio_console_ctrl_send(c, port, VIRTIO_CONSOLE_PORT_OPEN, 1);
	if (port == 0 && (c->cols || c->rows) && virtio_mmio_has_feature(c->dev, VIRTIO_CONSOLE_F_SIZE))
		virtio_console_ctrl_send(c, 0, VIRTIO_CONSOLE_RESIZE, 0);
	/*
	 * The name last: the guest handles messages in order, so once
	 * /sys/class/virtio-ports/vport0pN/name shows, the port's host state is
	 * known (a reader of a port not yet known open would read end of file).
	 */
	if (p->name[0])
		virtio_console_ctrl_send(c, port, VIRTIO_CONSOLE_PORT_NAME, 1);
}

/* A guest process opened or closed the port. */
static void port_open(struct virtio_console *c, unsigned port, bool open)
{
	c->ports[port].guest_open = open;
	/* What the guest wrote before closing goes out before the close is reported. */
	if (!open)
		virtio_console_tx_drain(c, port);
	virtio_console_report_open(c, port);
	if (open)
		virtio_console_wake_input(c, port);
}

static void handle(struct virtio_console *c, uint32_t id, uint16_t event, uint16_t value)
{
	if (event == VIRTIO_CONSOLE_DEVICE_READY) {
		if (!value) {
			log_debug("virtio-console: the guest driver failed to start");
			return;
		}
		for (unsigned i = 0; i < c->nports; i++)
			if (virtio_console_port_usable(c, i))
				virtio_console_ctrl_send(c, i, VIRTIO_CONSOLE_PORT_ADD, 1);
		return;
	}
	if (id >= c->nports) {
		log_debug("virtio-console: control event %u for port %u ignored", event, id);
		return;
	}
	if (event == VIRTIO_CONSOLE_PORT_READY)
		port_ready(c, id, value);
	else if (event == VIRTIO_CONSOLE_PORT_OPEN)
		port_open(c, id, value != 0);
	else
		log_debug("virtio-console: control event %u from the guest ignored", event);
}

void virtio_console_ctrl_receive(struct virtio_console *c)
{
	struct virtqueue *vq = &c->dev->vqs[VIRTIO_CONSOLE_CTRL_TXQ];
	struct iovec iov[VIRTIO_CONSOLE_CTRL_QUEUE_SIZE];
	struct virtqueue_elem e = { .iov = iov, .iov_cap = VIRTIO_CONSOLE_CTRL_QUEUE_SIZE };
	struct virtio_console_control m;
	unsigned budget = VIRTIO_MMIO_TURN_BUDGET;
	bool pushed = false;
	size_t n;
	int r;

	while (c->live) {
		if (!budget--) {
			virtio_mmio_defer(c->dev, VIRTIO_CONSOLE_CTRL_TXQ);	/* the rest on a later turn */
			break;
		}
		r = virtqueue_pop(vq, &e);
		if (r == 0)
			break;
		if (r < 0 || e.n_writable) {
			log_debug("virtio-console: bad control tx chain (%d)", r);
			virtio_console_fail(c);
			break;
		}
		/* One copy out of guest RAM, then only the copy is looked at. */
		n = iov_to_buf(iov, e.n_readable, 0, &m, sizeof(m));
		/* Linux spins until the buffer comes back: give it back first. */
		virtqueue_push(vq, e.head, 0);
		pushed = true;
		if (n == sizeof(m))
			handle(c, le32toh(m.id), le16toh(m.event), le16toh(m.value));
		else
			log_debug("virtio-console: short control message (%zu bytes) ignored", n);
	}
	if (pushed)
		virtio_mmio_signal_used(c->dev, VIRTIO_CONSOLE_CTRL_TXQ);
}
