// SPDX-License-Identifier: GPL-2.0
/*
 * flood.c - a burst of cheap failing calls, for the loss and liveness
 * tests.
 *
 * "flood N [THREADS]" makes N calls of shmdt((void *)0x10) in all, from
 * THREADS threads (default 1), each failing at once with EINVAL (the
 * address is not page aligned), then prints N.  Traced with a tiny ring
 * buffer, logged events plus reported losses must add up to exactly N.
 * "flood -s SECS [THREADS]" makes such calls for SECS seconds instead and
 * prints how many it made.  WORKLOAD_WAIT=1: print "ready" and wait for a
 * line on stdin first, so a tracer can attach to the running process.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "workload_wait.h"

#define MAX_THREADS 64

struct worker {
	pthread_t tid;
	unsigned long calls; /* to make, or made */
};

static double seconds; /* 0: count calls */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	double end = now() + seconds;

	if (!seconds) {
		/* syscall() rather than shmdt(): one kernel entry per call. */
		for (unsigned long i = 0; i < w->calls; i++)
			syscall(SYS_shmdt, 0x10UL);
		return NULL;
	}
	for (w->calls = 0; now() < end;) {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_shmdt, 0x10UL);
		w->calls += 1000;
	}
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: flood N [THREADS] | flood -s SECS [THREADS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct worker w[MAX_THREADS] = {};
	unsigned long n = 0, threads = 1, total = 0;
	int arg = 1;
	char *end;

	if (argc > 2 && !strcmp(argv[1], "-s")) {
		seconds = strtod(argv[2], &end);
		if (*end || !(seconds > 0))
			return usage();
		arg = 3;
	} else if (argc > 1) {
		n = strtoul(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || *argv[1] == '-')
			return usage();
		arg = 2;
	} else {
		return usage();
	}
	if (argc > arg) {
		threads = strtoul(argv[arg], &end, 10);
		if (*end || !threads || threads > MAX_THREADS)
			return usage();
	}
	wait_if_asked();
	for (unsigned long t = 0; t < threads; t++) {
		w[t].calls = n / threads + (t < n % threads);
		if (threads == 1)
			run(&w[t]);
		else
			pthread_create(&w[t].tid, NULL, run, &w[t]);
	}
	for (unsigned long t = 0; t < threads; t++) {
		if (threads > 1)
			pthread_join(w[t].tid, NULL);
		total += w[t].calls;
	}
	printf("%lu\n", total);
	return 0;
}
