// SPDX-License-Identifier: GPL-2.0
/*
 * container_shm.c - a file of /dev/shm, written and mapped shared, held
 * for a while: what a program in a container does with its own /dev/shm
 * (tests/integration/test_containers.py builds it static and runs it in a
 * podman container).
 *
 * "container_shm PATH SIZE SECS [clean]": creates PATH (O_EXCL), sizes it
 * to SIZE bytes, maps it shared and writes every page (a SIZE larger than
 * the room left in its tmpfs dies of SIGBUS there), prints "ready" and
 * waits SECS seconds (or until SIGTERM), then exits without unlinking it;
 * with "clean", it unmaps, closes and unlinks it first, as a well-behaved
 * program does.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t size;
	char *p;
	int fd;

	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "clean"))) {
		fprintf(stderr, "usage: container_shm PATH SIZE SECS [clean]\n");
		return 2;
	}
	size = strtoul(argv[2], NULL, 0);
	fd = open(argv[1], O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		perror("container_shm: create");
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
	if (argc == 5 && (munmap(p, size) || close(fd) || unlink(argv[1]))) {
		perror("container_shm: clean");
		return 1;
	}
	return 0;
}
