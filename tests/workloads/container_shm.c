// SPDX-License-Identifier: GPL-2.0
/*
 * container_shm.c - a file of /dev/shm, written and mapped shared, held
 * for a while: what a program in a container does with its own /dev/shm
 * (tests/integration/test_containers.py builds it static and runs it in a
 * podman container).
 *
 * "container_shm PATH SIZE SECS [fallocate] [clean]": creates PATH
 * (O_EXCL), sizes it to SIZE bytes, maps it shared and writes every page
 * (a SIZE larger than the room left in its tmpfs dies of SIGBUS there),
 * prints "ready" and waits SECS seconds (or until SIGTERM), then exits
 * without unlinking it.  With "fallocate" it allocates the file first
 * (posix_fallocate, as PostgreSQL does for its segments in /dev/shm: a
 * full tmpfs then says ENOSPC instead of SIGBUS); with "clean", it unmaps,
 * closes and unlinks it before exiting, as a well-behaved program does.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	bool alloc = false, clean = false;
	size_t size;
	char *p;
	int fd, err;

	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "fallocate"))
			alloc = true;
		else if (!strcmp(argv[i], "clean"))
			clean = true;
		else
			argc = 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: container_shm PATH SIZE SECS [fallocate] [clean]\n");
		return 2;
	}
	size = strtoul(argv[2], NULL, 0);
	fd = open(argv[1], O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		perror("container_shm: create");
		return 1;
	}
	if (alloc && (err = posix_fallocate(fd, 0, (off_t)size))) {
		fprintf(stderr, "container_shm: fallocate: %s\n", strerror(err));
		return 1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("container_shm: mmap");
		return 1;
	}
	memset(p, 0x5a, size);
	printf("ready\n");
	fflush(stdout);
	sleep((unsigned int)strtoul(argv[3], NULL, 0));
	if (clean && (munmap(p, size) || close(fd) || unlink(argv[1]))) {
		perror("container_shm: clean");
		return 1;
	}
	return 0;
}
