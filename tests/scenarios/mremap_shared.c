// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * mremap_shared.c - shared mappings moved, grown, shrunk and duplicated.
 *
 *   1. MAP_SHARED|MAP_ANONYMOUS, 1 MiB: grown to 2 MiB with
 *      MREMAP_MAYMOVE (the old range is gone), shrunk in place to
 *      512 KiB, unmapped at its final address and size.  Only the first
 *      MiB is ever touched: the shmem object behind a shared anonymous
 *      mapping keeps its mmap-time size, so the grown tail would SIGBUS.
 *   2. memfd, 1 MiB: the file is grown with ftruncate, then the mapping
 *      with MREMAP_MAYMOVE, and all 2 MiB are written.
 *   3. old_size 0 on a shared mapping: mremap makes a second mapping of
 *      the same pages and leaves the first in place (mremap(2)); both
 *      are unmapped.
 * Every release matches a live mapping: no finding.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1024 * 1024UL)

static int grow_move_shrink(void)
{
	char *p, *q;

	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("mremap_shared: mmap");
		return 1;
	}
	memset(p, 1, MIB);
	q = mremap(p, MIB, 2 * MIB, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		perror("mremap_shared: mremap grow");
		munmap(p, MIB);
		return 1;
	}
	if (q[MIB - 1] != 1)
		fprintf(stderr, "mremap_shared: contents lost\n");
	p = mremap(q, 2 * MIB, MIB / 2, 0);
	if (p == MAP_FAILED) {
		perror("mremap_shared: mremap shrink");
		munmap(q, 2 * MIB);
		return 1;
	}
	munmap(p, MIB / 2);
	return 0;
}

static int grow_memfd(void)
{
	char *p, *q;
	int fd;

	fd = memfd_create("mremap-shared", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, MIB)) {
		perror("mremap_shared: memfd");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ftruncate(fd, 2 * MIB)) {
		perror("mremap_shared: mmap memfd");
		if (p != MAP_FAILED)
			munmap(p, MIB);
		close(fd);
		return 1;
	}
	close(fd);
	q = mremap(p, MIB, 2 * MIB, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		perror("mremap_shared: mremap memfd");
		munmap(p, MIB);
		return 1;
	}
	memset(q, 2, 2 * MIB);
	munmap(q, 2 * MIB);
	return 0;
}

static int duplicate(void)
{
	char *p, *d;

	p = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mremap_shared: mmap");
		return 1;
	}
	d = mremap(p, 0, 64 * 1024, MREMAP_MAYMOVE);
	if (d == MAP_FAILED) {
		perror("mremap_shared: mremap duplicate");
		munmap(p, 64 * 1024);
		return 1;
	}
	strcpy(p, "one page, two addresses");
	if (strcmp(d, p))
		fprintf(stderr, "mremap_shared: duplicate differs\n");
	munmap(d, 64 * 1024);
	munmap(p, 64 * 1024);
	return 0;
}

int main(void)
{
	return grow_move_shrink() | grow_memfd() | duplicate();
}
