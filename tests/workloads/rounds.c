// SPDX-License-Identifier: GPL-2.0
/*
 * rounds.c - a correct program with a lot of shared-memory traffic, for
 * the loss tests: a trace of it under a tiny ring buffer loses records,
 * and must then mark its findings uncertain instead of inventing leaks.
 *
 * "rounds N [THREADS]": each of THREADS threads (default 1) runs N rounds
 * of a POSIX shm object (shm_open, ftruncate, mmap, munmap, close,
 * shm_unlink) and a SysV segment (shmget, shmat, shmdt, IPC_RMID), and
 * every 50 rounds forks a child that does one round and exits.
 * Everything it makes it removes; it exits 0 when all went well.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (64 * 1024)

static unsigned long rounds;

static int one_round(unsigned long t, unsigned long i)
{
	char name[64];
	void *p;
	int fd, id;

	snprintf(name, sizeof(name), "/shmwatch-test-rounds-%d-%lu-%lu", getpid(), t, i);
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, SIZE))
		return -1;
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	((char *)p)[0] = 1;
	munmap(p, SIZE);
	close(fd);
	if (shm_unlink(name))
		return -1;
	id = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
	if (id < 0)
		return -1;
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		shmctl(id, IPC_RMID, NULL);
		return -1;
	}
	((char *)p)[0] = 1;
	shmdt(p);
	return shmctl(id, IPC_RMID, NULL);
}

static void *run(void *arg)
{
	unsigned long t = (unsigned long)arg;

	for (unsigned long i = 0; i < rounds; i++) {
		if (one_round(t, i))
			return (void *)1;
		if (i % 50 == 49) {
			pid_t pid = fork();
			int status;

			if (pid == 0)
				_exit(one_round(t, i + rounds) ? 1 : 0);
			if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
				return (void *)1;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long threads = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	pthread_t tid[64];
	int bad = 0;

	if (argc < 2 || !threads || threads > 64) {
		fprintf(stderr, "usage: rounds N [THREADS]\n");
		return 2;
	}
	rounds = strtoul(argv[1], NULL, 10);
	for (unsigned long t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, run, (void *)t);
	for (unsigned long t = 0; t < threads; t++) {
		void *ret;

		pthread_join(tid[t], &ret);
		bad |= ret != NULL;
	}
	if (bad)
		fprintf(stderr, "rounds: a call failed\n");
	return bad;
}
