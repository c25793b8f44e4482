/* The I/O thread's epoll loop: fds with callbacks, and a thread-safe stop request. */
#ifndef CAPSULE_EVENT_LOOP_H
#define CAPSULE_EVENT_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Runs on the loop's thread. Every fd given to the loop must be non-blocking
 * (or read without waiting): an event can be stale by the time it runs (another
 * reader of a shared pipe or terminal took the bytes first).
 */
typedef void (*event_fn)(void *opaque, uint32_t events);

#define EVENT_LOOP_HANDLERS_MAX 296	/* 8 NICs of 8 queue pairs need 200; control clients 33 */

struct event_handler {
	int fd;			/* -1: a free slot */
	/*
	 * Bumped when the slot is freed. epoll carries it with each event, so an
	 * event for a removed fd, still in the batch being dispatched, never
	 * reaches whatever handler took the slot since.
	 */
	uint32_t generation;
	event_fn fn;
	void *opaque;
	uint32_t events;	/* what it watches, to watch it again after a quiet spell */
	bool host;		/* served while the loop is quiet (event_loop_add_host) */
	bool armed;		/* in the epoll set now */
};

struct event_loop {
	int epfd;
	int stop_fd;		/* eventfd: written by event_loop_stop() */
	int stop_status;	/* set by the first stop request */
	int last_status;	/* the latest request's: it wins if it cuts the holds short */
	unsigned stop_requests;	/* atomic: a second one cuts the holds short */
	bool stop_now;		/* a stop came from the loop's own thread: no waiting for holds */
	unsigned holds;		/* event_loop_hold() minus event_loop_release() */
	pthread_t thread;	/* the loop's own: the one that ran init, then run */
	pthread_mutex_t done_lock;
	pthread_cond_t done_cond;
	bool done;		/* event_loop_run() is returning */
	bool quiet;		/* only host handlers are served (event_loop_quiet) */
	struct event_handler handlers[EVENT_LOOP_HANDLERS_MAX];
};

/* Returns 0 or -errno. Call it on the thread that will call event_loop_run(). */
int event_loop_init(struct event_loop *loop);

/*
 * Watch FD for EVENTS (EPOLLIN ...); FN runs on the loop's thread. 0 or -errno.
 * Loop thread only (or before event_loop_run()), like event_loop_remove().
 */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *opaque);

/*
 * The same for the host's own fds (signals, timers, the control socket),
 * which are served while the loop is quiet; event_loop_add() is for the
 * guest's devices.
 */
int event_loop_add_host(struct event_loop *loop, int fd, uint32_t events, event_fn fn,
			void *opaque);

/*
 * QUIET: stop serving every fd added with event_loop_add() (the devices:
 * guest notifications, taps, the console) until called again with false;
 * their events wait in the kernel meanwhile (a tap's frames in its queue,
 * an eventfd's count). The host's fds are still served. A stop request ends
 * the quiet, so that the loop can finish its work. 0 or -errno. Loop thread
 * only.
 */
int event_loop_quiet(struct event_loop *loop, bool quiet);

/*
 * Watch FD for EVENTS instead of what it was added with (a tap queue: EPOLLIN,
 * EPOLLOUT or both). 0 or -errno. Loop thread only.
 */
int event_loop_modify(struct event_loop *loop, int fd, uint32_t events);

/* Stop watching FD; 0 or -errno. Events for FD already collected are dropped. */
int event_loop_remove(struct event_loop *loop, int fd);

/*
 * Ask the loop to return STATUS; the first request wins. Callable from any
 * thread. From another thread (a vCPU: the guest's exit status, its reset, a
 * KVM failure) the loop first finishes what it holds (event_loop_hold()), and
 * the call returns only once event_loop_run() is returning, so the guest runs
 * no further meanwhile. From the loop's own thread (a signal, the user's
 * escape) it does not wait, and neither does the loop: the host wants it over.
 */
void event_loop_stop(struct event_loop *loop, int status);

/*
 * Work the loop must finish before it returns after a stop request from
 * another thread, such as guest output waiting for a slow reader:
 * event_loop_run() goes on serving every fd until each hold is released, or
 * until a second stop request cuts it short; that request's status is then
 * the one returned (the work was not done). Loop thread only.
 */
void event_loop_hold(struct event_loop *loop);
void event_loop_release(struct event_loop *loop);

/* Whether the caller runs on the loop's thread. */
bool event_loop_on_thread(const struct event_loop *loop);

/* Whether a stop was requested. Any thread. */
bool event_loop_stopping(const struct event_loop *loop);

/* Run callbacks until a stop request and the holds are done; returns the status. */
int event_loop_run(struct event_loop *loop);

#endif
