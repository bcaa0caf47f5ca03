// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * missing_rollback_clean.c - clean twin of missing_rollback.c.
 *
 * shmget succeeds, shmat fails the same way, and the error path removes
 * the segment before giving up.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void)
{
	void *p;
	int id;

	id = shmget(IPC_PRIVATE, 64 * 1024, IPC_CREAT | 0600);
	if (id < 0) {
		perror("missing_rollback_clean: shmget");
		return 1;
	}
	p = shmat(id, (void *)0x10001001, 0); /* not page aligned */
	if (p == (void *)-1) {
		perror("missing_rollback_clean: shmat (expected)");
		if (shmctl(id, IPC_RMID, NULL))
			perror("missing_rollback_clean: IPC_RMID");
		return 0;
	}
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
	return 0;
}
