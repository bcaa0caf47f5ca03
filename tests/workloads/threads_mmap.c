// SPDX-License-Identifier: GPL-2.0
/*
 * threads_mmap.c - many threads mapping and unmapping one shared page
 * each, for the record-order test: the kernel hands an address one thread
 * just unmapped to the next thread's mmap at once, so a thread preempted
 * between its munmap and the syscall's exit tracepoint has its record
 * arrive after another thread mapped and unmapped the same address.  A
 * correct program: nothing is unmapped twice.
 *
 * "threads_mmap THREADS [ROUNDS]": THREADS threads in all, at most 1024 at a
 * time, each doing ROUNDS (default 1) map/touch/unmap rounds.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define AT_ONCE 1024

static unsigned long rounds = 1;

static void *run(void *arg)
{
	for (unsigned long i = 0; i < rounds; i++) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return (void *)1;
		p[0] = 1;
		if (munmap(p, 4096))
			return (void *)1;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long threads, done = 0;
	pthread_t tid[AT_ONCE];
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: threads_mmap THREADS [ROUNDS]\n");
		return 2;
	}
	threads = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		rounds = strtoul(argv[2], NULL, 10);
	while (done < threads) {
		unsigned long n = threads - done < AT_ONCE ? threads - done : AT_ONCE;

		for (unsigned long i = 0; i < n; i++)
			if (pthread_create(&tid[i], NULL, run, NULL))
				return 1;
		for (unsigned long i = 0; i < n; i++) {
			void *ret;

			pthread_join(tid[i], &ret);
			bad |= ret != NULL;
		}
		done += n;
	}
	return bad;
}
