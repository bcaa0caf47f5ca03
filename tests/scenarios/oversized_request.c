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
 *
 * The clean twin (oversized_request_clean.c) makes the same two requests
 * at honest sizes: a 3840 x 2160 RGBA frame (about 33 MB), which it
 * attaches, touches and releases, and a 64 MiB shared mapping.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "scenario.h"

/* The defect: the sizes. */
#define WIDTH (DEFECT ? 1048576 : 3840)
#define HEIGHT (DEFECT ? 262144 : 2160)
#define MAP_LEN (DEFECT ? 300UL << 20 : 64UL << 20)

int main(void)
{
	int width = WIDTH, height = HEIGHT, bpp = 4;
	size_t size = (size_t)width * height * bpp;
	size_t len = MAP_LEN;
	char *p;
	int id;

	id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (id < 0) {
		if (!DEFECT) { /* an honest frame always fits */
			perror("oversized_request: shmget");
			return 1;
		}
	} else {
		/* The 2^40 one only with vm.overcommit_memory=1. */
		p = shmat(id, NULL, 0);
		shmctl(id, IPC_RMID, NULL); /* do not keep it around */
		if (p == (void *)-1) {
			perror("oversized_request: shmat");
			return 1;
		}
		memset(p, 0, 4096);
		shmdt(p);
	}

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("oversized_request: mmap");
		return 1;
	}
	p[0] = 1;
	munmap(p, len);
	return 0;
}
