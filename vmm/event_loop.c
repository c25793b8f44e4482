/* The I/O thread's epoll loop: fds with callbacks, and a thread-safe stop request. */
#include "event_loop.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

int event_loop_init(struct event_loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	memset(loop, 0, sizeof(*loop));
	loop->stop_status = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return -errno;
	loop->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->stop_fd < 0 || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->stop_fd, &ev) < 0)
		return -errno;
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++)
		loop->handlers[i].fd = -1;
	return 0;
}

static struct event_handler *slot_for(struct event_loop *loop, int fd)
{
	for (unsigned i = 0; i < EVENT_LOOP_HANDLERS_MAX; i++)
		if (loop->handlers[i].fd == fd)
			return &loop->handlers[i];
	return NULL;
}

int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *opaque)
{
	struct event_handler *h = slot_for(loop, -1);
	struct epoll_event ev = { .events = events };

	if (!h)
		return -ENOSPC;
	ev.data.ptr = h;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	*h = (struct event_handler){ fd, fn, opaque };
	return 0;
}

int event_loop_remove(struct event_loop *loop, int fd)
{
	struct event_handler *h = slot_for(loop, fd);

	if (!h)
		return -ENOENT;
	h->fd = -1;
	return epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

void event_loop_stop(struct event_loop *loop, int status)
{
	int expected = -1;
	uint64_t one = 1;

	__atomic_compare_exchange_n(&loop->stop_status, &expected, status, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	if (write(loop->stop_fd, &one, sizeof(one)) < 0)
		log_error("event loop: cannot signal stop: %s", strerror(errno));
}

/* Run the callbacks of one epoll_wait; false once the stop request is among them. */
static bool dispatch(struct event_loop *loop, int timeout_ms)
{
	struct epoll_event evs[16];
	int n = epoll_wait(loop->epfd, evs, 16, timeout_ms);
	bool go_on = true;

	if (n < 0 && errno != EINTR) {
		log_error("event loop: epoll_wait: %s", strerror(errno));
		event_loop_stop(loop, EXIT_CAPSULE_RUNTIME);
		return false;
	}
	for (int i = 0; i < n; i++) {
		struct event_handler *h = evs[i].data.ptr;

		if (!h)
			go_on = false;
		/* A callback earlier in this batch may have removed this fd. */
		else if (h->fd >= 0)
			h->fn(h->opaque, evs[i].events);
	}
	return go_on;
}

int event_loop_run(struct event_loop *loop)
{
	while (dispatch(loop, -1))
		;
	/*
	 * One last look at what is ready: the guest's final output was kicked
	 * (its ioeventfd signalled) before it reported its exit status.
	 */
	dispatch(loop, 0);
	return __atomic_load_n(&loop->stop_status, __ATOMIC_SEQ_CST);
}
