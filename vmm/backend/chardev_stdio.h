/* The console's host side: capsule's stdin, the terminal in raw mode when it is one. */
#ifndef CAPSULE_CHARDEV_STDIO_H
#define CAPSULE_CHARDEV_STDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/chardev_fd.h"
#include "event_loop.h"

/* Where input goes: returns how many of LEN bytes it took (the rest waits for chardev_stdio_room). */
typedef size_t (*chardev_sink_fn)(void *opaque, const uint8_t *buf, size_t len);

#define CHARDEV_STDIO_CHUNK 256

struct chardev_stdio {
	struct event_loop *loop;
	int in_fd;		/* stdin reopened, or a pipe fed from it when it cannot be polled */
	enum chardev_fd_kind in_kind;	/* how in_fd is read without waiting */
	int room_fd;		/* eventfd: the sink has room again */
	int copy_fd;		/* the copier's end of in_fd's pipe, until it starts; else -1 */
	bool tty;		/* stdin is a terminal, now in raw mode */
	bool eof_as_ctrl_d;	/* at end of input send ^D, the tty's end-of-file */
	bool escape;		/* the previous key was the Ctrl-A escape */
	bool reading;		/* in_fd is in the event loop */
	bool at_eof;
	bool eof_told;		/* eof() has run */
	bool started;		/* the guest is ready for input */
	chardev_sink_fn sink;
	void *sink_opaque;
	/* Once end of input has reached the sink: how the sink passes it on. May be NULL. */
	void (*eof)(void *opaque);
	uint8_t pending[CHARDEV_STDIO_CHUNK];
	size_t pending_len, pending_off;
};

/*
 * Take over stdin (output goes through struct chardev_output). A terminal goes into raw mode, restored at
 * exit, unless AS_TERMINAL is false (its bytes then arrive as the terminal's line discipline
 * makes them). Input goes to SINK, but not before chardev_stdio_start(). Dies on failure.
 */
void chardev_stdio_open(struct chardev_stdio *cs, struct event_loop *loop, bool eof_as_ctrl_d,
			bool as_terminal, chardev_sink_fn sink, void *opaque);

/*
 * When stdin cannot be watched (a file, /dev/null) a thread copies it into a
 * pipe: start it now, calling ENTER (its sandbox) first. Nothing to do
 * otherwise. Dies on failure.
 */
void chardev_stdio_start_copier(struct chardev_stdio *cs, void (*enter)(void));

/* Begin feeding input to the sink (once the guest is ready to receive it). Thread-safe. */
void chardev_stdio_start(struct chardev_stdio *cs);

/* The sink has room again. Thread-safe. */
void chardev_stdio_room(struct chardev_stdio *cs);

/* Call EOF(SINK's opaque) on the I/O thread once all input, end included, went to the sink. */
void chardev_stdio_on_eof(struct chardev_stdio *cs, void (*eof)(void *opaque));

/* Put the terminal back as it was (also done at exit). */
void chardev_stdio_restore(void);

#endif
