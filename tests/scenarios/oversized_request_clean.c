// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * oversized_request_clean.c - clean twin of oversized_request.c.
 *
 * The same two requests at honest sizes: a 3840 x 2160 RGBA frame
 * (about 33 MB) as a SysV segment, and a 64 MiB shared mapping, both
 * released properly.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

int main(void)
{
	int width = 3840, height = 2160, bpp = 4;
	size_t size = (size_t)width * height * bpp;
	size_t len = 64UL << 20;
	char *p;
	int id;

	id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (id < 0) {
		perror("oversized_request_clean: shmget");
		return 1;
	}
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1) {
		perror("oversized_request_clean: shmat");
		return 1;
	}
	memset(p, 0, 4096);
	shmdt(p);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("oversized_request_clean: mmap");
		return 1;
	}
	p[0] = 1;
	munmap(p, len);
	return 0;
}
