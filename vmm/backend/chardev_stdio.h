/* The console's host side: capsule's stdin and stdout, the terminal in raw mode when it is one. */
#ifndef CAPSULE_CHARDEV_STDIO_H
#define CAPSULE_CHARDEV_STDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_loop.h"

/* Where input goes: returns how many of LEN bytes it took (the rest waits for chardev_stdio_room). */
typedef size_t (*chardev_sink_fn)(void *opaque, const uint8_t *buf, size_t len);

#define CHARDEV_STDIO_CHUNK 256

struct chardev_stdio {
	struct event_loop *loop;
	int in_fd;		/* stdin, or a pipe fed from it when stdin cannot be polled */
	int out_fd;
	int room_fd;		/* eventfd: the sink has room again */
	bool tty;		/* stdin is a terminal, now in raw mode */
	bool eof_as_ctrl_d;	/* at end of input send ^D, the tty's end-of-file */
	bool escape;		/* the previous key was the Ctrl-A escape */
	bool reading;		/* in_fd is in the event loop */
	bool at_eof;
	bool started;		/* the guest is ready for input */
	chardev_sink_fn sink;
	void *sink_opaque;
	uint8_t pending[CHARDEV_STDIO_CHUNK];
	size_t pending_len, pending_off;
};

/*
 * Take over stdin and stdout. A terminal goes into raw mode, restored at
 * exit. Input goes to SINK, but not before chardev_stdio_start(). Dies on failure.
 */
void chardev_stdio_open(struct chardev_stdio *cs, struct event_loop *loop, bool eof_as_ctrl_d,
			chardev_sink_fn sink, void *opaque);

/* Begin feeding input to the sink (once the guest is ready to receive it). Thread-safe. */
void chardev_stdio_start(struct chardev_stdio *cs);

/* The sink has room again. Thread-safe. */
void chardev_stdio_room(struct chardev_stdio *cs);

/* Write guest output to stdout; drops it when stdout is gone. */
void chardev_stdio_write(struct chardev_stdio *cs, const uint8_t *buf, size_t len);

/* Put the terminal back as it was (also done at exit). */
void chardev_stdio_restore(void);

#endif
