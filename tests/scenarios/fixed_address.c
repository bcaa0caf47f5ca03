// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * fixed_address.c - shmat at an address the program chooses.
 *
 *   1. shmat at 0x200000000000 (32 TiB: between the program and the
 *      mmap area on x86-64, normally free).
 *   2. shmat at 0x200000100123 with SHM_RND: the kernel rounds down to
 *      0x200000100000, so the attach address is the return value, not
 *      the argument; shmdt is given the rounded address.
 * Both are detached and the segment is removed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define LEN (64 * 1024)
#define FIXED ((void *)0x200000000000UL)
#define ROUNDED ((void *)0x200000100000UL)
#define UNROUNDED ((void *)0x200000100123UL)

int main(void)
{
	char *p1, *p2;
	int id, ret = 0;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0) {
		perror("fixed_address: shmget");
		return 1;
	}
	p1 = shmat(id, FIXED, 0);
	if (p1 == (void *)-1) {
		perror("fixed_address: shmat at 0x200000000000");
		ret = 1;
		goto out;
	}
	p2 = shmat(id, UNROUNDED, SHM_RND);
	if (p2 != ROUNDED) {
		perror("fixed_address: shmat SHM_RND");
		shmdt(p1);
		ret = 1;
		goto out;
	}
	strcpy(p1, "same segment");
	if (strcmp(p2, "same segment")) {
		fprintf(stderr, "fixed_address: attachments differ\n");
		ret = 1;
	}
	shmdt(p2);
	shmdt(p1);
out:
	shmctl(id, IPC_RMID, NULL);
	return ret;
}
