// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * threads.c - several threads attaching and detaching at once.
 *
 * Four threads start together and each runs 100 rounds of:
 *   - its own segment: shmget, shmat, write, shmdt, IPC_RMID;
 *   - one segment shared by all: shmat, write its slot, shmdt.
 * Calls of different threads interleave in the event stream; each
 * thread's detaches still match its own attaches.  All correct.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define NTHREADS 4
#define ROUNDS 100
#define LEN (64 * 1024)

static pthread_barrier_t start;
static int shared_id;

static void *worker(void *arg)
{
	long slot = (long)arg;
	long failures = 0;
	char *own, *shared;
	int i, id;

	pthread_barrier_wait(&start);
	for (i = 0; i < ROUNDS; i++) {
		id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
		if (id < 0) {
			failures++;
			continue;
		}
		own = shmat(id, NULL, 0);
		if (own != (void *)-1) {
			memset(own, i, LEN);
			shmdt(own);
		} else {
			failures++;
		}
		shmctl(id, IPC_RMID, NULL);

		shared = shmat(shared_id, NULL, 0);
		if (shared != (void *)-1) {
			shared[slot] = i;
			shmdt(shared);
		} else {
			failures++;
		}
	}
	return (void *)failures;
}

int main(void)
{
	pthread_t t[NTHREADS];
	long i, failures = 0;
	void *res;

	shared_id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (shared_id < 0) {
		perror("threads: shmget");
		return 1;
	}
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i)) {
			/* Started threads wait at the barrier; exit ends them. */
			fprintf(stderr, "threads: pthread_create failed\n");
			shmctl(shared_id, IPC_RMID, NULL);
			return 1;
		}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &res);
		failures += (long)res;
	}
	shmctl(shared_id, IPC_RMID, NULL);
	if (failures)
		fprintf(stderr, "threads: %ld calls failed\n", failures);
	return failures ? 1 : 0;
}
