/* --boot-time: how long each of capsule's start-up steps took, and when the guest reached its milestones. */
#ifndef CAPSULE_START_CLOCK_H
#define CAPSULE_START_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define START_CLOCK_LINE 512

struct start_clock {
	bool on;			/* --boot-time: record and report */
	struct timespec started;	/* main()'s first step */
	struct timespec last;		/* the end of the previous step */
	char steps[START_CLOCK_LINE];	/* " config 0.12 jail 0.03 ..." */
	size_t used;
};

/* Start timing now; ON says whether anything is reported. */
void start_clock_init(struct start_clock *c);

/* The step NAME ended now: its time joins the steps line. */
void start_clock_step(struct start_clock *c, const char *name);

/* Print "capsule: started-at-ms T steps-ms NAME MS ..." on stderr, when on. */
void start_clock_report_steps(const struct start_clock *c);

/*
 * Print "capsule: WHAT-ms N" (N since the start) on stderr, when on. WHAT is
 * a milestone: start-to-vcpus, kernel-entry, boot-time.
 */
void start_clock_report(const struct start_clock *c, const char *what);

#endif
