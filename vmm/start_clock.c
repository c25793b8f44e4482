/* --boot-time: how long each of capsule's start-up steps took, and when the guest reached its milestones. */
#include "start_clock.h"

#include <stdio.h>

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

void start_clock_init(struct start_clock *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->last = c->started;
	c->steps[0] = '\0';
	c->used = 0;
}

static double start_clock_ms(const struct start_clock *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ms_between(&c->started, &now);
}

void start_clock_step(struct start_clock *c, const char *name)
{
	struct timespec now;
	int n;

	if (!c->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	n = snprintf(c->steps + c->used, sizeof(c->steps) - c->used, " %s %.2f", name,
		     ms_between(&c->last, &now));
	if (n > 0 && (size_t)n < sizeof(c->steps) - c->used)
		c->used += (size_t)n;
	c->last = now;
}

void start_clock_report_steps(const struct start_clock *c)
{
	if (!c->on)
		return;
	/* CLOCK_MONOTONIC is the host's: a launcher can tell how long exec took. */
	fprintf(stderr, "capsule: started-at-ms %.3f steps-ms%s\n",
		(double)c->started.tv_sec * 1e3 + (double)c->started.tv_nsec / 1e6, c->steps);
}

void start_clock_report(const struct start_clock *c, const char *what)
{
	if (c->on)
		fprintf(stderr, "capsule: %s-ms %.2f\n", what, start_clock_ms(c));
}
