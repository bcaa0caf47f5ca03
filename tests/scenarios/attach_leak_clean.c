// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * attach_leak_clean.c - clean twin of attach_leak.c: a steady set.
 *
 * Like a server with a fixed pool of buffers: 8 segments, all attached,
 * and every 10 ms one of them is detached and attached again, for about
 * 3 seconds.  As many attaches as the leaky twin, but the outstanding
 * count never grows past 8.  Everything is detached and removed at the end.
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

#define POOL 8
#define BUF_SIZE (64 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	int id[POOL], n, i, ret = 0;
	void *addr[POOL];
	double end;
	unsigned int ticks = 0;

	for (n = 0; n < POOL; n++) {
		id[n] = shmget(IPC_PRIVATE, BUF_SIZE, IPC_CREAT | 0600);
		if (id[n] < 0) {
			perror("attach_leak_clean: shmget");
			ret = 1;
			goto out;
		}
		addr[n] = shmat(id[n], NULL, 0);
		if (addr[n] == (void *)-1) {
			perror("attach_leak_clean: shmat");
			shmctl(id[n], IPC_RMID, NULL);
			ret = 1;
			goto out;
		}
	}

	end = now() + secs;
	while (now() < end) {
		i = ticks++ % POOL;
		if (shmdt(addr[i]))
			perror("attach_leak_clean: shmdt");
		addr[i] = shmat(id[i], NULL, 0);
		if (addr[i] == (void *)-1) {
			perror("attach_leak_clean: shmat");
			shmctl(id[i], IPC_RMID, NULL);
			ret = 1;
			goto out;
		}
		memset(addr[i], ticks & 0xff, BUF_SIZE);
		usleep(10000);
	}
	printf("ticks %u\n", ticks);
out:
	/* n slots are fully set up; slot i may have lost its attach above. */
	while (n-- > 0) {
		if (addr[n] != (void *)-1 && shmdt(addr[n]))
			perror("attach_leak_clean: shmdt");
		if (addr[n] != (void *)-1 && shmctl(id[n], IPC_RMID, NULL))
			perror("attach_leak_clean: IPC_RMID");
	}
	return ret;
}
