// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * munmap_reused.c - a freed shared range handed out again as private
 * memory, and that memory freed: no munmap is repeated.
 *
 * A shared anonymous mapping is unmapped, a private anonymous mapping of
 * the same size is made at the same address (MAP_FIXED_NOREPLACE, as a
 * malloc arena or buffer that mmap happens to place there would be), and
 * then it is unmapped.  Traced without --all-mmaps, a private mapping of
 * this size is not recorded, so the last munmap looks like the shared
 * range released twice; it is not (the kernel unmaps the private one).
 * invalid_detach.c is the real double munmap.  Nothing is left behind.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "scenario.h"

#define LEN (64 * 1024)

int main(void)
{
	char *p, *q;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("munmap_reused: mmap shared");
		return 1;
	}
	strcpy(p, "hello");
	if (munmap(p, LEN)) {
		perror("munmap_reused: munmap shared");
		return 1;
	}
	q = mmap(p, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (q == MAP_FAILED) {
		perror("munmap_reused: mmap private");
		return 1;
	}
	if (q != p) {
		/* A kernel without MAP_FIXED_NOREPLACE takes it as a hint. */
		fprintf(stderr, "munmap_reused: private mapping at %p, not %p\n", (void *)q,
			(void *)p);
		munmap(q, LEN);
		return 1;
	}
	strcpy(q, "private");
	if (munmap(q, LEN)) {
		perror("munmap_reused: munmap private");
		return 1;
	}
	return 0;
}
