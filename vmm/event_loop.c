/* The I/O thread's epoll loop: fds with callbacks, and a thread-safe stop request. */
#include "event_loop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

#define BATCH 16
#define STOP_DATA 0	/* the stop eventfd's epoll data; handlers' never is 0 */

/* A handler's epoll data: its slot index + 1 below, the slot's generation above. */
static uint64_t handler_data(const struct event_loop *loop, const struct event_handler *h)
{
	return (uint64_t)h->generation << 32 | (uint64_t)(h - loop->handlers + 1);
}

/* The handler an event is for, or NULL when its registration has gone since. */
static struct event_handler *handler_of(struct event_loop *loop, uint64_t data)
{
	uint32_t index = (uint32_t)data - 1;
	struct event_handler *h;

	if (index >= EVENT_LOOP_HANDLERS_MAX)
		return NULL;
	h = &loop->handlers[index];
	return h->fd >= 0 && h->armed && h->generation == (uint32_t)(data >> 32) ? h : NULL;
}

int event_loop_init(struct event_loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = STOP_DATA };

	memset(loop, 0, sizeof(*loop));
	loop->stop_status = -1;
	loop->thread = pthread_self();
	pthread_mutex_init(&loop->done_lock, NULL);
	pthread_cond_init(&loop->done_cond, NULL);
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++)
		loop->handlers[i].fd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return -errno;
	loop->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->stop_fd < 0 || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->stop_fd, &ev) < 0)
		return -errno;
	return 0;
}

static struct event_handler *slot_for(struct event_loop *loop, int fd)
{
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++)
		if (loop->handlers[i].fd == fd)
			return &loop->handlers[i];
	return NULL;
}

/* Put H's fd in the epoll set, or take it out. */
static int arm(struct event_loop *loop, struct event_handler *h, bool on)
{
	struct epoll_event ev = { .events = h->events, .data.u64 = handler_data(loop, h) };

	if (h->armed == on)
		return 0;
	if (epoll_ctl(loop->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, h->fd, on ? &ev : NULL) < 0)
		return -errno;
	h->armed = on;
	return 0;
}

static int add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *opaque,
	       bool host)
{
	struct event_handler *h = slot_for(loop, -1);
	int ret;

	if (!h)
		return -ENOSPC;
	*h = (struct event_handler){ .fd = fd, .generation = h->generation, .fn = fn,
				     .opaque = opaque, .events = events, .host = host };
	ret = arm(loop, h, host || !loop->quiet);
	if (ret < 0)
		h->fd = -1;
	return ret;
}

int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *opaque)
{
	return add(loop, fd, events, fn, opaque, false);
}

int event_loop_add_host(struct event_loop *loop, int fd, uint32_t events, event_fn fn,
			void *opaque)
{
	return add(loop, fd, events, fn, opaque, true);
}

int event_loop_modify(struct event_loop *loop, int fd, uint32_t events)
{
	struct event_handler *h = slot_for(loop, fd);
	struct epoll_event ev;

	if (!h || fd < 0)
		return -ENOENT;
	h->events = events;
	if (!h->armed)
		return 0;	/* quiet: arm() uses the new events later */
	ev = (struct epoll_event){ .events = events, .data.u64 = handler_data(loop, h) };
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int event_loop_remove(struct event_loop *loop, int fd)
{
	struct event_handler *h = slot_for(loop, fd);
	int ret;

	if (!h)
		return -ENOENT;
	ret = arm(loop, h, false);
	h->fd = -1;
	h->generation++;
	return ret;
}

int event_loop_quiet(struct event_loop *loop, bool quiet)
{
	int ret = 0;

	loop->quiet = quiet;
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++) {
		struct event_handler *h = &loop->handlers[i];
		int r;

		if (h->fd < 0 || h->host)
			continue;
		r = arm(loop, h, !quiet);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

bool event_loop_on_thread(const struct event_loop *loop)
{
	return pthread_equal(pthread_self(), loop->thread);
}

bool event_loop_stopping(const struct event_loop *loop)
{
	return __atomic_load_n(&loop->stop_requests, __ATOMIC_ACQUIRE) != 0;
}

/* Until event_loop_run() is returning. */
static void wait_done(struct event_loop *loop)
{
	pthread_mutex_lock(&loop->done_lock);
	while (!loop->done)
		pthread_cond_wait(&loop->done_cond, &loop->done_lock);
	pthread_mutex_unlock(&loop->done_lock);
}

void event_loop_stop(struct event_loop *loop, int status)
{
	int expected = -1;
	uint64_t one = 1;

	__atomic_compare_exchange_n(&loop->stop_status, &expected, status, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	__atomic_store_n(&loop->last_status, status, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&loop->stop_requests, 1, __ATOMIC_SEQ_CST);
	if (write(loop->stop_fd, &one, sizeof(one)) < 0)
		log_error("event loop: cannot signal stop: %s", strerror(errno));
	if (event_loop_on_thread(loop))
		loop->stop_now = true;
	else
		wait_done(loop);
}

void event_loop_hold(struct event_loop *loop)
{
	loop->holds++;
}

void event_loop_release(struct event_loop *loop)
{
	if (loop->holds)
		loop->holds--;
}

/*
 * Run the callbacks of one epoll_wait. Returns how many events it got, -1 on
 * failure; sets *STOPPED when a stop request is among them.
 */
static int dispatch(struct event_loop *loop, int timeout_ms, bool *stopped)
{
	struct epoll_event evs[BATCH];
	int n = epoll_wait(loop->epfd, evs, BATCH, timeout_ms);
	uint64_t v;

	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0) {
		log_error("event loop: epoll_wait: %s", strerror(errno));
		event_loop_stop(loop, EXIT_CAPSULE_RUNTIME);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct event_handler *h;

		if (evs[i].data.u64 == STOP_DATA) {
			/* Consumed, so that a later request shows again. */
			if (read(loop->stop_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				log_error("event loop: stop eventfd: %s", strerror(errno));
			*stopped = true;
		} else if ((h = handler_of(loop, evs[i].data.u64))) {
			h->fn(h->opaque, evs[i].events);
		}
	}
	return n;
}

/* Serve fds while something is held, unless the host wants out or a second stop request comes. */
static void finish_holds(struct event_loop *loop)
{
	bool stopped = false;

	while (loop->holds && !loop->stop_now &&
	       __atomic_load_n(&loop->stop_requests, __ATOMIC_SEQ_CST) < 2)
		if (dispatch(loop, -1, &stopped) < 0)
			break;
	if (!loop->holds)
		return;
	log_error("stopped with guest output not yet written");
	__atomic_store_n(&loop->stop_status, __atomic_load_n(&loop->last_status, __ATOMIC_SEQ_CST),
			 __ATOMIC_SEQ_CST);
}

int event_loop_run(struct event_loop *loop)
{
	bool stopped = false;
	unsigned rounds = 0;
	int n;

	loop->thread = pthread_self();
	while (!stopped)
		if (dispatch(loop, -1, &stopped) < 0)
			break;
	if (loop->quiet && (n = event_loop_quiet(loop, false)) < 0)
		log_error("event loop: cannot serve the devices again: %s", strerror(-n));
	/*
	 * One last look at what is ready, every batch of it: the guest's final
	 * output was kicked (its ioeventfd signalled) before it reported its exit
	 * status. Bounded: enough full batches to see every handler once.
	 */
	do
		n = dispatch(loop, 0, &stopped);
	while (n == BATCH && ++rounds <= EVENT_LOOP_HANDLERS_MAX / BATCH);
	finish_holds(loop);
	pthread_mutex_lock(&loop->done_lock);
	loop->done = true;
	pthread_cond_broadcast(&loop->done_cond);
	pthread_mutex_unlock(&loop->done_lock);
	return __atomic_load_n(&loop->stop_status, __ATOMIC_SEQ_CST);
}
