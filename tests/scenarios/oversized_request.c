// SPDX-License-Identifier: GPL-2.0
/* expect: oversized-request 2 */
/*
 * oversized_request.c - sizes no honest image buffer needs.
 *
 *   1. shmget of width * height * 4 for a bogus 1048576 x 262144 window:
 *      2^40 bytes, the mark of an overflowed or unchecked size.  It fails
 *      (ENOMEM: more than RAM plus swap), so this one is an error.
 *   2. a 300 MiB MAP_SHARED|MAP_ANONYMOUS mapping: above the 256 MiB
 *      default --max-size but it succeeds, so a warning.  Only one page is
 *      touched, and it is unmapped again.
 * Nothing else is wrong: the failure is checked, the mapping released.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

int main(void)
{
	int width = 1048576, height = 262144, bpp = 4;
	size_t size = (size_t)width * height * bpp;
	size_t big = 300UL << 20;
	char *p;
	int id;

	id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (id >= 0) {
		/* Only with vm.overcommit_memory=1; do not keep 1 TiB around. */
		fprintf(stderr, "oversized_request: 1 TiB shmget succeeded\n");
		shmctl(id, IPC_RMID, NULL);
	}

	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("oversized_request: mmap");
		return 1;
	}
	p[0] = 1;
	munmap(p, big);
	return 0;
}
