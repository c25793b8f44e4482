/* Bytes from the host for one virtio-console port: a pipe's (--copy-in), then end of file. */
#ifndef CAPSULE_CONSOLE_FEED_H
#define CAPSULE_CONSOLE_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_loop.h"
#include "virtio/virtio_console.h"

#define CONSOLE_FEED_CHUNK 16384

struct console_feed {
	struct virtio_console *vcon;
	struct event_loop *loop;
	unsigned port;
	int room_fd;		/* eventfd: the port may take more (written from device callbacks) */
	int src_fd;		/* the pipe still to read, or -1 */
	bool src_watched;	/* src_fd is in the loop: we wait for it to have bytes */
	bool done;		/* all sent and the port closed: the guest reads end of file */
	size_t len, off;	/* chunk's bytes, and how many of them the guest has taken */
	uint8_t chunk[CONSOLE_FEED_CHUNK];
};

/*
 * Feed PORT of VCON from SRC_FD (a non-blocking pipe, closed at its end),
 * then close the port on the host side: the guest's reader sees end of file.
 * The port is opened on the host side now; bytes go once the guest opens it.
 * Start-up, on the loop's thread. Dies on failure.
 */
void console_feed_start(struct console_feed *f, struct virtio_console *vcon, unsigned port,
			struct event_loop *loop, int src_fd);

/* The port can take more (the device's room() or guest_open() callback). Any thread. */
void console_feed_room(struct console_feed *f);

#endif
