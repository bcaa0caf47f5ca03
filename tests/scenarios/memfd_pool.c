// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * memfd_pool.c - a bounded pool is no attach leak.
 *
 * Every round the program maps 256 memfds, one every 10 ms, then unmaps
 * them all, three rounds in a row.  A round's mapping spans more than
 * the 4 growth windows attach-leak looks at (as tracing made a 1.1 s
 * round take 3 s in the program this comes from), but the holdings come
 * back to where they began each time: a pool, not a leak.  No twin: the
 * defect of this shape, mapping without ever unmapping, is
 * attach_leak.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scenario.h"

#define POOL 256
#define ROUNDS 3
#define BUF_SIZE 4096

int main(void)
{
	static void *bufs[POOL];

	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < POOL; i++) {
			int fd = memfd_create("pool", MFD_CLOEXEC);

			if (fd < 0 || ftruncate(fd, BUF_SIZE)) {
				perror("memfd_pool: memfd");
				return 1;
			}
			bufs[i] = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			close(fd);
			if (bufs[i] == MAP_FAILED) {
				perror("memfd_pool: mmap");
				return 1;
			}
			*(volatile char *)bufs[i] = (char)i;
			usleep(10000);
		}
		for (int i = 0; i < POOL; i++)
			munmap(bufs[i], BUF_SIZE);
	}
	return 0;
}
