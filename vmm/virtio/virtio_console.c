/* The virtio-console device model: ports, config space, the data queues and the host-side entry points. */
#include "virtio/virtio_console.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "log.h"
#include "util/iov.h"
#include "virtio/virtio_console_impl.h"

static void config_read(struct virtio_mmio_dev *dev, uint32_t offset, uint8_t *data, unsigned len)
{
	const struct virtio_console *c = dev->opaque;
	struct virtio_console_config cfg = {
		.cols = htole16(c->cols),
		.rows = htole16(c->rows),
		.max_nr_ports = htole32(c->nports),
		.emerg_wr = 0,
	};

	memcpy(data, (const uint8_t *)&cfg + offset, len);
}

/* Only emerg_wr is writable: its low byte is a character for port 0, sent at once. */
static void config_write(struct virtio_mmio_dev *dev, uint32_t offset, const uint8_t *data,
			 unsigned len)
{
	struct virtio_console *c = dev->opaque;
	uint8_t ch = data[0];
	struct iovec iov = { &ch, 1 };

	(void)len;
	if (offset == offsetof(struct virtio_console_config, emerg_wr))
		c->backend.output(c->backend.opaque, 0, &iov, 1);
}

bool virtio_console_port_usable(const struct virtio_console *c, unsigned port)
{
	const struct virtqueue *vqs = c->dev->vqs;

	return c->live && port < c->nports && (port == 0 || c->multiport) &&
	       virtqueue_ready(&vqs[virtio_console_rxq(port)]) &&
	       virtqueue_ready(&vqs[virtio_console_txq(port)]);
}

static int activate(struct virtio_mmio_dev *dev)
{
	struct virtio_console *c = dev->opaque;

	c->multiport = virtio_mmio_has_feature(dev, VIRTIO_CONSOLE_F_MULTIPORT);
	if (!virtqueue_ready(&dev->vqs[0]) || !virtqueue_ready(&dev->vqs[1]))
		return -EINVAL;
	if (c->multiport && (!virtqueue_ready(&dev->vqs[VIRTIO_CONSOLE_CTRL_RXQ]) ||
			     !virtqueue_ready(&dev->vqs[VIRTIO_CONSOLE_CTRL_TXQ])))
		return -EINVAL;
	c->live = true;
	/* A single-port driver has no control queue: its console is open from the start. */
	if (!c->multiport) {
		c->ports[0].guest_open = true;
		virtio_console_report_open(c, 0);
	}
	return 0;
}

static void reset(struct virtio_mmio_dev *dev)
{
	struct virtio_console *c = dev->opaque;

	c->live = c->multiport = false;
	c->ctrl_head = c->ctrl_len = 0;
	for (unsigned i = 0; i < c->nports; i++) {
		struct virtio_console_port *p = &c->ports[i];

		/* A held chain points into rings that are going away. */
		p->ready = p->guest_open = p->tx_held = p->tx_deferred = false;
		p->tx_done = 0;
		virtio_console_report_open(c, i);
	}
}

static void queue_notify(struct virtio_mmio_dev *dev, unsigned queue)
{
	struct virtio_console *c = dev->opaque;
	unsigned port = queue < 2 ? 0 : queue / 2 - 1;

	if (!c->live)
		return;
	if (queue == VIRTIO_CONSOLE_CTRL_RXQ || queue == VIRTIO_CONSOLE_CTRL_TXQ) {
		if (c->multiport && queue == VIRTIO_CONSOLE_CTRL_RXQ)
			virtio_console_ctrl_flush(c);
		else if (c->multiport)
			virtio_console_ctrl_receive(c);
		return;
	}
	if (!virtio_console_port_usable(c, port))
		return;
	if (queue & 1) {
		virtio_console_tx_drain(c, port);
		virtio_console_report_open(c, port);	/* a close held back by deferred output */
	} else
		virtio_console_wake_input(c, port);	/* new receive buffers */
}

static const struct virtio_device_ops console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.features = (1ull << VIRTIO_CONSOLE_F_SIZE) | (1ull << VIRTIO_CONSOLE_F_MULTIPORT) |
		    (1ull << VIRTIO_CONSOLE_F_EMERG_WRITE),
	.config_size = sizeof(struct virtio_console_config),
	.config_read = config_read,
	.config_write = config_write,
	.activate = activate,
	.reset = reset,
	.queue_notify = queue_notify,
	/* num_queues and queue_max depend on the port count: set per device. */
};

void virtio_console_fail(struct virtio_console *c)
{
	c->live = false;
	virtio_mmio_needs_reset(c->dev);
}

void virtio_console_report_open(struct virtio_console *c, unsigned port)
{
	struct virtio_console_port *p = &c->ports[port];

	/*
	 * A close waits for held output, so the backend sees it after the
	 * guest's last byte. A close and reopen meanwhile cancel out.
	 */
	if (p->tx_held || p->tx_deferred || p->reported_open == p->guest_open)
		return;
	p->reported_open = p->guest_open;
	if (c->backend.guest_open)
		c->backend.guest_open(c->backend.opaque, port, p->guest_open);
}

void virtio_console_wake_input(struct virtio_console *c, unsigned port)
{
	struct virtio_console_port *p = &c->ports[port];

	if (!p->starved || !p->guest_open || !virtio_console_port_usable(c, port))
		return;
	p->starved = false;
	if (c->backend.room)
		c->backend.room(c->backend.opaque, port);
}

/* Offer the rest of PORT's held chain to output(); true when all of it went. */
static bool tx_offer(struct virtio_console *c, unsigned port)
{
	struct virtio_console_port *p = &c->ports[port];
	struct iovec rest[VIRTIO_CONSOLE_DATA_QUEUE_SIZE];
	size_t want = p->tx_elem.readable_len - p->tx_done, took;
	int n;

	if (want == 0)
		return true;
	n = iov_slice(p->tx_iov, p->tx_elem.n_readable, p->tx_done, want, rest,
		      VIRTIO_CONSOLE_DATA_QUEUE_SIZE);
	if (n <= 0)
		return true;	/* cannot happen: the slice is never longer than the chain */
	took = c->backend.output(c->backend.opaque, port, rest, n);
	if (took >= want)
		return true;
	p->tx_done += (uint32_t)took;
	return false;
}

void virtio_console_tx_drain(struct virtio_console *c, unsigned port)
{
	struct virtio_console_port *p = &c->ports[port];
	unsigned q = virtio_console_txq(port);
	struct virtqueue *vq = &c->dev->vqs[q];
	unsigned budget = VIRTIO_MMIO_TURN_BUDGET;
	bool pushed = false;
	int r;

	p->tx_deferred = false;
	while (c->live) {
		if (!budget--) {
			virtio_mmio_defer(c->dev, q);	/* the rest on a later turn */
			p->tx_deferred = true;
			break;
		}
		if (!p->tx_held) {
			p->tx_elem = (struct virtqueue_elem){ .iov = p->tx_iov,
							      .iov_cap = VIRTIO_CONSOLE_DATA_QUEUE_SIZE };
			r = virtqueue_pop(vq, &p->tx_elem);
			if (r == 0)
				break;
			if (r < 0 || p->tx_elem.n_writable) {
				log_debug("virtio-console: port %u: bad tx chain (%d)", port, r);
				virtio_console_fail(c);
				break;
			}
			p->tx_held = true;
			p->tx_done = 0;
		}
		if (!tx_offer(c, port))
			break;		/* throttled: virtio_console_output_ready() resumes */
		virtqueue_push(vq, p->tx_elem.head, 0);
		p->tx_held = false;
		pushed = true;
	}
	if (pushed)
		virtio_mmio_signal_used(c->dev, q);
}

/* Copy BUF into PORT's posted receive buffers; returns the bytes taken. */
static size_t rx_fill(struct virtio_console *c, unsigned port, const uint8_t *buf, size_t len)
{
	unsigned q = virtio_console_rxq(port);
	struct virtqueue *vq = &c->dev->vqs[q];
	struct iovec iov[VIRTIO_CONSOLE_DATA_QUEUE_SIZE];
	struct virtqueue_elem e = { .iov = iov, .iov_cap = VIRTIO_CONSOLE_DATA_QUEUE_SIZE };
	size_t done = 0, n;
	bool pushed = false;
	int r;

	/* A guest without a reader discards what arrives (Linux's in_intr()). */
	if (!virtio_console_port_usable(c, port) || !c->ports[port].guest_open)
		return 0;
	while (done < len) {
		r = virtqueue_pop(vq, &e);
		if (r == 0)
			break;	/* the driver is asked to notify when it posts more */
		if (r < 0 || e.n_readable) {
			log_debug("virtio-console: port %u: bad rx chain (%d)", port, r);
			virtio_console_fail(c);
			break;
		}
		n = iov_from_buf(iov, e.n_writable, 0, buf + done, len - done);
		virtqueue_push(vq, e.head, (uint32_t)n);
		done += n;
		pushed = true;
	}
	if (pushed)
		virtio_mmio_signal_used(c->dev, q);
	return done;
}

/* A name the guest can show in sysfs and udev can link to. */
static bool name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= VIRTIO_CONSOLE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '/')
			return false;
	return true;
}

static int set_names(struct virtio_console *c, const char *const *names)
{
	for (unsigned i = 0; i < c->nports; i++) {
		const char *name = names ? names[i] : NULL;

		if (i == 0 && (!name || !name[0]))
			continue;
		if (!name || !name_valid(name))
			return -EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(c->ports[j].name, name))
				return -EINVAL;
		strcpy(c->ports[i].name, name);
	}
	return 0;
}

int virtio_console_init(struct virtio_console *c, struct virtio_mmio_dev *dev,
			const struct guest_mem *mem, const struct virtio_mmio_host *host,
			unsigned nports, const char *const *names,
			const struct virtio_console_backend *backend)
{
	int r;

	if (nports == 0 || nports > VIRTIO_CONSOLE_PORTS_MAX ||
	    2 * nports + 2 > VIRTIO_MMIO_QUEUES_MAX || !backend || !backend->output)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->nports = nports;
	c->backend = *backend;
	r = set_names(c, names);
	if (r)
		return r;
	c->ops = console_ops;
	/*
	 * hvc0 alone goes without MULTIPORT: Linux then adds port 0 while it
	 * probes, before it opens /dev/console for init. With MULTIPORT port 0
	 * comes in a PORT_ADD from the control queue, handled in a work item
	 * that may run after, and the kernel says "unable to open an initial
	 * console" on the user's terminal.
	 */
	if (nports == 1)
		c->ops.features &= ~(1ull << VIRTIO_CONSOLE_F_MULTIPORT);
	c->ops.num_queues = 2 * nports + 2;
	for (unsigned q = 0; q < c->ops.num_queues; q++)
		c->ops.queue_max[q] = q == VIRTIO_CONSOLE_CTRL_RXQ || q == VIRTIO_CONSOLE_CTRL_TXQ
					      ? VIRTIO_CONSOLE_CTRL_QUEUE_SIZE
					      : VIRTIO_CONSOLE_DATA_QUEUE_SIZE;
	return virtio_mmio_init(dev, &c->ops, c, mem, host);
}

void virtio_console_destroy(struct virtio_console *c)
{
	virtio_mmio_destroy(c->dev);
}

ssize_t virtio_console_input(struct virtio_console *c, unsigned port, const void *buf, size_t len)
{
	size_t done;

	if (port >= c->nports)
		return -EINVAL;
	virtio_mmio_lock(c->dev);
	done = rx_fill(c, port, buf, len);
	if (done < len)
		c->ports[port].starved = true;
	virtio_mmio_unlock(c->dev);
	return (ssize_t)done;
}

int virtio_console_host_open(struct virtio_console *c, unsigned port, bool open)
{
	struct virtio_console_port *p;

	if (port >= c->nports)
		return -EINVAL;
	p = &c->ports[port];
	virtio_mmio_lock(c->dev);
	if (p->host_open != open) {
		p->host_open = open;
		/* Before PORT_READY the guest learns the state in the reply to it. */
		if (c->live && c->multiport && p->ready)
			virtio_console_ctrl_send(c, port, VIRTIO_CONSOLE_PORT_OPEN, open);
	}
	virtio_mmio_unlock(c->dev);
	return 0;
}

void virtio_console_output_ready(struct virtio_console *c, unsigned port)
{
	if (port >= c->nports)
		return;
	virtio_mmio_lock(c->dev);
	if (virtio_console_port_usable(c, port)) {
		virtio_console_tx_drain(c, port);
		virtio_console_report_open(c, port);
	}
	virtio_mmio_unlock(c->dev);
}

void virtio_console_resize(struct virtio_console *c, uint16_t cols, uint16_t rows)
{
	virtio_mmio_lock(c->dev);
	c->cols = cols;
	c->rows = rows;
	if (c->live && virtio_mmio_has_feature(c->dev, VIRTIO_CONSOLE_F_SIZE)) {
		/* Linux reads the size from config space only without MULTIPORT. */
		if (!c->multiport)
			virtio_mmio_config_changed(c->dev);
		else if (c->ports[0].ready)
			virtio_console_ctrl_send(c, 0, VIRTIO_CONSOLE_RESIZE, 0);
	}
	virtio_mmio_unlock(c->dev);
}
