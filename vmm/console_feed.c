/* Bytes from the host for one virtio-console port: a pipe's (--copy-in), then end of file. */
#include "console_feed.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

static void pump(struct console_feed *f);

static void on_source(void *opaque, uint32_t events)
{
	struct console_feed *f = opaque;

	(void)events;	/* an error or hang-up shows in the read */
	event_loop_remove(f->loop, f->src_fd);
	f->src_watched = false;
	pump(f);
}

/* Refill from the pipe: true when there are bytes to send; may finish the source. */
static bool refill(struct console_feed *f)
{
	ssize_t n = read(f->src_fd, f->chunk, sizeof(f->chunk));

	if (n > 0) {
		f->len = (size_t)n;
		f->off = 0;
		return true;
	}
	if (n < 0 && errno == EAGAIN) {
		if (event_loop_add(f->loop, f->src_fd, EPOLLIN, on_source, f) == 0)
			f->src_watched = true;
		else
			log_error("console port %u: cannot watch its source", f->port);
		return false;
	}
	if (n < 0)
		log_error("console port %u: reading its source: %s", f->port, strerror(errno));
	close(f->src_fd);
	f->src_fd = -1;
	return false;
}

/* On the loop's thread: give the guest what it takes; at the end, close the port. */
static void pump(struct console_feed *f)
{
	while (!f->done && !f->src_watched) {
		ssize_t took;

		if (f->off == f->len) {
			if (f->src_fd >= 0 && refill(f))
				continue;
			if (f->src_fd >= 0)
				return;		/* waiting for the pipe */
			virtio_console_host_open(f->vcon, f->port, false);
			f->done = true;
			return;
		}
		took = virtio_console_input(f->vcon, f->port, f->chunk + f->off, f->len - f->off);
		if (took <= 0)
			return;		/* room() comes when the guest has buffers again */
		f->off += (size_t)took;
	}
}

static void on_room(void *opaque, uint32_t events)
{
	struct console_feed *f = opaque;
	uint64_t v;

	(void)events;
	if (read(f->room_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("console port %u: room eventfd: %s", f->port, strerror(errno));
	pump(f);
}

void console_feed_start(struct console_feed *f, struct virtio_console *vcon, unsigned port,
			struct event_loop *loop, int src_fd)
{
	memset(f, 0, sizeof(*f));
	f->vcon = vcon;
	f->loop = loop;
	f->port = port;
	f->src_fd = src_fd;
	f->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->room_fd < 0 || event_loop_add(loop, f->room_fd, EPOLLIN, on_room, f) < 0)
		die("console port %u: eventfd: %s", port, strerror(errno));
	virtio_console_host_open(vcon, port, true);
	console_feed_room(f);
}

void console_feed_room(struct console_feed *f)
{
	uint64_t one = 1;

	if (f->room_fd >= 0 && write(f->room_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("console port %u: room eventfd: %s", f->port, strerror(errno));
}
