/* A few threads taking work items off a queue: how blocking backend I/O leaves the I/O thread. */
#include "util/worker_pool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void *worker(void *arg)
{
	struct worker_pool *pool = arg;

	pthread_setname_np(pthread_self(), pool->name);
	if (pool->enter)
		pool->enter();
	for (;;) {
		struct work_item *item;

		pthread_mutex_lock(&pool->lock);
		while (!pool->head)
			pthread_cond_wait(&pool->cond, &pool->lock);
		item = pool->head;
		pool->head = item->next;
		if (!pool->head)
			pool->tail = NULL;
		pthread_mutex_unlock(&pool->lock);
		item->fn(item);
	}
	return NULL;
}

int worker_pool_start(struct worker_pool *pool, unsigned n, const char *name, void (*enter)(void))
{
	memset(pool, 0, sizeof(*pool));
	if (n < 1 || n > WORKER_POOL_THREADS_MAX)
		return -EINVAL;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->cond, NULL);
	pool->enter = enter;
	snprintf(pool->name, sizeof(pool->name), "%s", name);
	for (unsigned i = 0; i < n; i++) {
		int ret = pthread_create(&pool->threads[i], NULL, worker, pool);

		if (ret)
			return -ret;
		pool->nthreads++;
	}
	return 0;
}

void worker_pool_submit(struct worker_pool *pool, struct work_item *item)
{
	item->next = NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->tail)
		pool->tail->next = item;
	else
		pool->head = item;
	pool->tail = item;
	pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
}
