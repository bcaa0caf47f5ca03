// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * invalid_detach_clean.c - clean twin of invalid_detach.c.
 *
 * The same attachment and shared mapping, each released exactly once.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define LEN (64 * 1024)

int main(void)
{
	char *p;
	int id;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0) {
		perror("invalid_detach_clean: shmget");
		return 1;
	}
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1) {
		perror("invalid_detach_clean: shmat");
		return 1;
	}
	strcpy(p, "hello");
	if (shmdt(p))
		perror("invalid_detach_clean: shmdt");

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("invalid_detach_clean: mmap");
		return 1;
	}
	strcpy(p, "hello");
	if (munmap(p, LEN))
		perror("invalid_detach_clean: munmap");
	return 0;
}
