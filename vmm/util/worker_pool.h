/* A few threads taking work items off a queue: how blocking backend I/O leaves the I/O thread. */
#ifndef CAPSULE_WORKER_POOL_H
#define CAPSULE_WORKER_POOL_H

#include <pthread.h>
#include <stdbool.h>

#define WORKER_POOL_THREADS_MAX 8

struct work_item {
	struct work_item *next;
	void (*fn)(struct work_item *item);	/* runs on a worker thread */
};

struct worker_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct work_item *head, *tail;
	pthread_t threads[WORKER_POOL_THREADS_MAX];
	unsigned nthreads;
	char name[16];		/* each thread's, set by itself (naming another needs /proc) */
	void (*enter)(void);	/* what each thread does first (its seccomp filter) */
};

/*
 * Start N (1..WORKER_POOL_THREADS_MAX) threads named NAME; each calls ENTER
 * (may be NULL) before it takes any work. 0 or -errno.
 */
int worker_pool_start(struct worker_pool *pool, unsigned n, const char *name, void (*enter)(void));

/* Queue ITEM; a worker calls item->fn(item) soon. Any thread. */
void worker_pool_submit(struct worker_pool *pool, struct work_item *item);

#endif
