/* Inside the virtio-console model: what its data path (virtio_console.c) and control path share. */
#ifndef CAPSULE_VIRTIO_CONSOLE_IMPL_H
#define CAPSULE_VIRTIO_CONSOLE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/virtio_console.h"

#define VIRTIO_CONSOLE_CTRL_RXQ 2	/* host -> guest control messages */
#define VIRTIO_CONSOLE_CTRL_TXQ 3	/* guest -> host */

static inline unsigned virtio_console_rxq(unsigned port)
{
	return port ? 2 * port + 2 : 0;
}

static inline unsigned virtio_console_txq(unsigned port)
{
	return virtio_console_rxq(port) + 1;
}

/* Everything below runs with the device lock held. */

/* Whether PORT exists for the running driver and has both its queues. */
bool virtio_console_port_usable(const struct virtio_console *c, unsigned port);

/* The guest broke the rules: NEEDS_RESET, and the device does nothing more until a reset. */
void virtio_console_fail(struct virtio_console *c);

/* Hand PORT's pending tx chains to output() until none is left or the backend stops taking. */
void virtio_console_tx_drain(struct virtio_console *c, unsigned port);

/* Tell the backend the guest's open state of PORT, if it changed and no output is held back. */
void virtio_console_report_open(struct virtio_console *c, unsigned port);

/* PORT may take input now: fire room() if input was turned away. */
void virtio_console_wake_input(struct virtio_console *c, unsigned port);

/* Queue a control message for the guest and send what the control rx queue has room for. */
void virtio_console_ctrl_send(struct virtio_console *c, unsigned port, uint16_t event,
			      uint16_t value);

/* Send waiting control messages into the buffers the guest posted (control rx notified). */
void virtio_console_ctrl_flush(struct virtio_console *c);

/* Take and act on the guest's control messages (control tx notified). */
void virtio_console_ctrl_receive(struct virtio_console *c);

#endif
