// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * partial_munmap.c - shared mappings released a piece at a time.
 *
 *   1. A 16-page MAP_SHARED|MAP_ANONYMOUS mapping: munmap a hole in the
 *      middle (pages 4-7), which splits it in two, then the head (0-3),
 *      then the tail (8-15).  The pieces left are still usable in between.
 *   2. A 16-page memfd mapping: munmap the last 4 pages, then munmap the
 *      whole original range at once, hole included (legal and common: it
 *      still releases pages 0-11).
 * Every call releases something that is mapped, so nothing is invalid.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096UL
#define NPAGES 16

static int anon_pieces(void)
{
	char *p;

	p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("partial_munmap: mmap");
		return 1;
	}
	memset(p, 1, NPAGES * PG);
	munmap(p + 4 * PG, 4 * PG);
	p[0] = 2;
	p[8 * PG] = 2;
	munmap(p, 4 * PG);
	p[15 * PG] = 3;
	munmap(p + 8 * PG, 8 * PG);
	return 0;
}

static int memfd_tail_then_whole(void)
{
	char *p;
	int fd;

	fd = memfd_create("partial-munmap", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, NPAGES * PG)) {
		perror("partial_munmap: memfd");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("partial_munmap: mmap memfd");
		return 1;
	}
	memset(p, 1, NPAGES * PG);
	munmap(p + 12 * PG, 4 * PG);
	p[11 * PG] = 2;
	munmap(p, NPAGES * PG);
	return 0;
}

int main(void)
{
	return anon_pieces() | memfd_tail_then_whole();
}
