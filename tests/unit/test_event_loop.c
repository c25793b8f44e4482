/* Unit tests of the event loop: stale events after slot reuse, the last batches, holds and stops, quiet spells. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "check.h"
#include "event_loop.h"

static struct event_loop loop;

/* A pipe, readable (one byte in it) or not. */
static void make_pipe(int p[2], bool readable)
{
	CHECK(pipe(p) == 0);
	if (readable)
		CHECK(write(p[1], "x", 1) == 1);
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/*
 * Two readable fds in one batch. Whichever callback runs first removes the
 * other fd and adds an unreadable one in its place: the freed slot is the
 * first free one, so the newcomer takes it. The removed fd's event, still in
 * the batch, must reach neither its old handler nor the newcomer.
 */
static struct {
	int a[2], b[2], c[2];
	unsigned a_calls, b_calls, c_calls;
	bool swapped;
} reuse;

static void on_c(void *opaque, uint32_t events)
{
	(void)opaque;
	(void)events;
	reuse.c_calls++;
}

static void on_a_or_b(void *opaque, uint32_t events)
{
	int *other = opaque;

	(void)events;
	if (other == reuse.b)
		reuse.a_calls++;
	else
		reuse.b_calls++;
	if (reuse.swapped)
		return;
	reuse.swapped = true;
	CHECK(event_loop_remove(&loop, other[0]) == 0);
	CHECK(event_loop_add(&loop, reuse.c[0], EPOLLIN, on_c, NULL) == 0);
	event_loop_stop(&loop, 7);
}

static void slot_reused_within_a_batch(void)
{
	memset(&reuse, 0, sizeof(reuse));
	CHECK(event_loop_init(&loop) == 0);
	make_pipe(reuse.a, true);
	make_pipe(reuse.b, true);
	make_pipe(reuse.c, false);
	CHECK(event_loop_add(&loop, reuse.a[0], EPOLLIN, on_a_or_b, reuse.b) == 0);
	CHECK(event_loop_add(&loop, reuse.b[0], EPOLLIN, on_a_or_b, reuse.a) == 0);
	CHECK(event_loop_run(&loop) == 7);
	CHECK(reuse.swapped);
	CHECK(reuse.c_calls == 0);
	/* Only the survivor ran (again in later rounds: it stays readable). */
	CHECK((reuse.a_calls == 0) != (reuse.b_calls == 0));
	close_pipe(reuse.a);
	close_pipe(reuse.b);
	close_pipe(reuse.c);
	close(loop.epfd);
	close(loop.stop_fd);
}

/* Removing and adding fds bumps generations; an event names one registration only. */
static void removed_fd_gets_nothing(void)
{
	int p[2];
	struct epoll_event ev;

	CHECK(event_loop_init(&loop) == 0);
	make_pipe(p, true);
	CHECK(event_loop_add(&loop, p[0], EPOLLIN, on_c, NULL) == 0);
	CHECK(epoll_wait(loop.epfd, &ev, 1, 0) == 1);
	CHECK(event_loop_remove(&loop, p[0]) == 0);
	CHECK(event_loop_remove(&loop, p[0]) == -ENOENT);
	CHECK(event_loop_add(&loop, p[1], EPOLLOUT, on_c, NULL) == 0);
	/* The same slot, a new generation: the old event is not the new handler's. */
	CHECK(loop.handlers[0].fd == p[1] && loop.handlers[0].generation == 1);
	close_pipe(p);
	close(loop.epfd);
	close(loop.stop_fd);
}

/* What one fd is watched for changes in place, and a quiet spell keeps the change for later. */
static void modify_changes_events(void)
{
	int s[2];
	struct epoll_event ev;

	CHECK(event_loop_init(&loop) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) == 0);
	/* Writable, not readable: only EPOLLOUT shows. */
	CHECK(event_loop_add(&loop, s[0], EPOLLIN, on_c, NULL) == 0);
	CHECK(epoll_wait(loop.epfd, &ev, 1, 0) == 0);
	CHECK(event_loop_modify(&loop, s[0], EPOLLIN | EPOLLOUT) == 0);
	CHECK(epoll_wait(loop.epfd, &ev, 1, 0) == 1 && ev.events == EPOLLOUT);
	CHECK(event_loop_quiet(&loop, true) == 0);
	CHECK(event_loop_modify(&loop, s[0], EPOLLIN) == 0);
	CHECK(!loop.handlers[0].armed);
	CHECK(event_loop_quiet(&loop, false) == 0);
	CHECK(loop.handlers[0].armed && epoll_wait(loop.epfd, &ev, 1, 0) == 0);
	CHECK(write(s[1], "x", 1) == 1);
	CHECK(epoll_wait(loop.epfd, &ev, 1, 0) == 1 && ev.events == EPOLLIN);
	CHECK(event_loop_modify(&loop, s[1], EPOLLIN) == -ENOENT);
	close_pipe(s);
	close(loop.epfd);
	close(loop.stop_fd);
}

/* More ready fds than one epoll_wait returns when the stop comes: every one is still served. */
#define MANY 40
static int many[MANY][2];
static unsigned many_calls[MANY];

static void on_many(void *opaque, uint32_t events)
{
	int i = (int)(intptr_t)opaque;
	char c;

	(void)events;
	CHECK(read(many[i][0], &c, 1) == 1);
	many_calls[i]++;
}

static void last_batches_after_stop(void)
{
	CHECK(event_loop_init(&loop) == 0);
	for (int i = 0; i < MANY; i++) {
		many_calls[i] = 0;
		make_pipe(many[i], false);
		CHECK(event_loop_add(&loop, many[i][0], EPOLLIN, on_many, (void *)(intptr_t)i) == 0);
	}
	/* The stop first: epoll reports it in the first batch, the fds after it. */
	event_loop_stop(&loop, 3);
	for (int i = 0; i < MANY; i++)
		CHECK(write(many[i][1], "x", 1) == 1);
	CHECK(event_loop_run(&loop) == 3);
	for (int i = 0; i < MANY; i++) {
		CHECK(many_calls[i] == 1);
		close_pipe(many[i]);
	}
	close(loop.epfd);
	close(loop.stop_fd);
}

/* A hold keeps the loop serving fds after a stop; a stop from another thread waits for the end. */
static int timer_fd;
static bool stopper_returned;

static void *stopper(void *arg)
{
	(void)arg;
	event_loop_stop(&loop, 5);
	__atomic_store_n(&stopper_returned, true, __ATOMIC_SEQ_CST);
	return NULL;
}

static void on_timer(void *opaque, uint32_t events)
{
	uint64_t n;

	(void)opaque;
	(void)events;
	CHECK(read(timer_fd, &n, sizeof(n)) == sizeof(n));
	/* The stop came long ago; its thread still waits, and the loop still runs. */
	CHECK(!__atomic_load_n(&stopper_returned, __ATOMIC_SEQ_CST));
	CHECK(event_loop_stopping(&loop));
	event_loop_release(&loop);
}

static void hold_outlives_stop(void)
{
	struct itimerspec its = { .it_value = { 0, 200 * 1000 * 1000 } };
	pthread_t t;

	stopper_returned = false;
	CHECK(event_loop_init(&loop) == 0);
	CHECK(event_loop_on_thread(&loop));
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK(timer_fd >= 0 && timerfd_settime(timer_fd, 0, &its, NULL) == 0);
	CHECK(event_loop_add(&loop, timer_fd, EPOLLIN, on_timer, NULL) == 0);
	event_loop_hold(&loop);
	CHECK(!event_loop_stopping(&loop));
	CHECK(pthread_create(&t, NULL, stopper, NULL) == 0);
	CHECK(event_loop_run(&loop) == 5);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(stopper_returned);
	close(timer_fd);
	close(loop.epfd);
	close(loop.stop_fd);
}

/* A stop on the loop's own thread (a signal, the user's escape) does not wait for holds. */
static void own_stop_ignores_holds(void)
{
	CHECK(event_loop_init(&loop) == 0);
	event_loop_hold(&loop);
	event_loop_stop(&loop, 130);
	CHECK(event_loop_run(&loop) == 130);
	close(loop.epfd);
	close(loop.stop_fd);
}

static void *second_stopper(void *arg)
{
	(void)arg;
	event_loop_stop(&loop, 4);
	return NULL;
}

/* A second stop from another thread (the guest failing on) ends the wait too, with its status. */
static void second_stop_cuts_hold(void)
{
	pthread_t a, b;

	stopper_returned = false;
	CHECK(event_loop_init(&loop) == 0);
	event_loop_hold(&loop);
	CHECK(pthread_create(&a, NULL, stopper, NULL) == 0);
	while (!event_loop_stopping(&loop))
		usleep(1000);
	CHECK(pthread_create(&b, NULL, second_stopper, NULL) == 0);
	CHECK(event_loop_run(&loop) == 4);
	CHECK(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
	close(loop.epfd);
	close(loop.stop_fd);
}

/*
 * While quiet, only host fds are served: a readable device pipe, and one
 * added during the quiet, wait. The host handler counts its turns, then ends
 * the quiet (QUIET_TURNS) or stops the loop (STOP_TURNS); the device pipes
 * are served after either.
 */
static struct {
	int dev[2], late[2], host[2];
	unsigned host_calls, dev_calls, dev_calls_quiet;
	bool stop_instead;
} q;
#define QUIET_TURNS 3

static void on_dev(void *opaque, uint32_t events)
{
	int *p = opaque;
	char c;

	(void)events;
	CHECK(read(p[0], &c, 1) == 1);
	q.dev_calls++;
	if (loop.quiet)
		q.dev_calls_quiet++;
	if (q.dev_calls == 2 && !q.stop_instead)
		event_loop_stop(&loop, 9);
}

static void on_host(void *opaque, uint32_t events)
{
	(void)opaque;
	(void)events;
	if (++q.host_calls == 1)
		CHECK(event_loop_add(&loop, q.late[0], EPOLLIN, on_dev, q.late) == 0);
	if (q.host_calls < QUIET_TURNS)
		return;
	CHECK(event_loop_remove(&loop, q.host[0]) == 0);
	if (q.stop_instead)
		event_loop_stop(&loop, 8);
	else
		CHECK(event_loop_quiet(&loop, false) == 0);
}

static void quiet_spell(bool stop_instead)
{
	memset(&q, 0, sizeof(q));
	q.stop_instead = stop_instead;
	CHECK(event_loop_init(&loop) == 0);
	make_pipe(q.dev, true);
	make_pipe(q.late, true);
	make_pipe(q.host, true);
	CHECK(event_loop_add(&loop, q.dev[0], EPOLLIN, on_dev, q.dev) == 0);
	CHECK(event_loop_add_host(&loop, q.host[0], EPOLLIN, on_host, NULL) == 0);
	CHECK(event_loop_quiet(&loop, true) == 0);
	CHECK(event_loop_run(&loop) == (stop_instead ? 8 : 9));
	CHECK(q.host_calls == QUIET_TURNS);
	CHECK(q.dev_calls == 2 && q.dev_calls_quiet == 0);
	CHECK(!loop.quiet);
	close_pipe(q.dev);
	close_pipe(q.late);
	close_pipe(q.host);
	close(loop.epfd);
	close(loop.stop_fd);
}

static void quiet_serves_host_fds_only(void)
{
	quiet_spell(false);
}

static void stop_ends_quiet(void)
{
	quiet_spell(true);
}

int main(void)
{
	RUN(slot_reused_within_a_batch);
	RUN(removed_fd_gets_nothing);
	RUN(modify_changes_events);
	RUN(last_batches_after_stop);
	RUN(hold_outlives_stop);
	RUN(own_stop_ignores_holds);
	RUN(second_stop_cuts_hold);
	RUN(quiet_serves_host_fds_only);
	RUN(stop_ends_quiet);
	return CHECK_SUMMARY();
}
