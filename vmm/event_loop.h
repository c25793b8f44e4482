/* The I/O thread's epoll loop: fds with callbacks, and a thread-safe stop request. */
#ifndef CAPSULE_EVENT_LOOP_H
#define CAPSULE_EVENT_LOOP_H

#include <stdint.h>

typedef void (*event_fn)(void *opaque, uint32_t events);

#define EVENT_LOOP_HANDLERS_MAX 256	/* 8 NICs of 8 queue pairs need 200 */

struct event_handler {
	int fd;
	event_fn fn;
	void *opaque;
};

struct event_loop {
	int epfd;
	int stop_fd;		/* eventfd: written by event_loop_stop() */
	int stop_status;	/* set once, by the first stop request */
	struct event_handler handlers[EVENT_LOOP_HANDLERS_MAX];
};

/* Returns 0 or -errno. */
int event_loop_init(struct event_loop *loop);

/* Watch FD for EVENTS (EPOLLIN ...); FN runs on the loop's thread. 0 or -errno. */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *opaque);

/* Stop watching FD; 0 or -errno. */
int event_loop_remove(struct event_loop *loop, int fd);

/*
 * Ask the loop to return STATUS. Callable from any thread (a vCPU reporting
 * the guest's exit status); the first request wins.
 */
void event_loop_stop(struct event_loop *loop, int status);

/* Run callbacks until a stop request; returns its status. */
int event_loop_run(struct event_loop *loop);

#endif
