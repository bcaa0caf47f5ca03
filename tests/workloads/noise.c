// SPDX-License-Identifier: GPL-2.0
/*
 * noise.c - an unrelated process making shared-memory calls.
 *
 * Runs next to a traced workload for argv[1] seconds (default 2): creates
 * a small IPC_PRIVATE segment, attaches, detaches and removes it, plus one
 * failing shmdt, every 10 ms.  A trace restricted with -p to another
 * process must show none of these calls.  It leaves nothing behind.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	double end = now() + secs;
	unsigned long cycles = 0;
	void *p;
	int id;

	while (now() < end) {
		id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id < 0) {
			perror("noise: shmget");
			return 1;
		}
		p = shmat(id, NULL, 0);
		if (p != (void *)-1) {
			*(volatile char *)p = 1;
			shmdt(p);
		}
		shmctl(id, IPC_RMID, NULL);
		shmdt((void *)0x10); /* fails: a call a -p trace could wrongly show */
		usleep(10000);
		cycles++;
	}
	printf("%lu\n", cycles);
	return 0;
}
