// SPDX-License-Identifier: GPL-2.0
/* expect: attach-leak 1 */
/*
 * attach_leak.c - a frame loop that attaches and never detaches.
 *
 * Every 10 ms, for about 3 seconds, it creates a fresh segment, attaches
 * it, draws into it and moves on without shmdt: the process's outstanding
 * attachments grow by ~100 a second.  One finding for the process,
 * however many attachments pile up.  The clean twin (attach_leak_clean.c)
 * runs the same loop and detaches each frame once it is drawn, so the
 * outstanding count never passes one.
 *
 * Each segment gets IPC_RMID right after shmat, so when the process exits
 * (and the kernel detaches everything) no segment is left behind: the
 * only defect here is the growth while it runs.
 *
 * Timing-dependent on purpose: the detector works on a rate over time.
 * An optional argument sets the duration in seconds.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"

#define FRAME_SIZE (64 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *new_frame(void)
{
	void *p;
	int id;

	id = shmget(IPC_PRIVATE, FRAME_SIZE, IPC_CREAT | 0600);
	if (id < 0) {
		perror("attach_leak: shmget");
		exit(1);
	}
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL); /* gone once the last attach is */
	if (p == (void *)-1) {
		perror("attach_leak: shmat");
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	double end = now() + secs;
	unsigned int frames = 0;
	char *frame;

	while (now() < end) {
		frame = new_frame();
		memset(frame, frames & 0xff, FRAME_SIZE);
		/* The defect: the frame is never shmdt'd. */
		if (!DEFECT && shmdt(frame))
			perror("attach_leak: shmdt");
		frames++;
		usleep(10000);
	}
	printf("frames %u\n", frames);
	return 0;
}
