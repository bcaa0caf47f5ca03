// SPDX-License-Identifier: GPL-2.0
/* expect: missing-rollback 1 */
/* expect: segment-leak 1 */
/*
 * missing_rollback.c - shmget succeeded, shmat failed, no IPC_RMID.
 *
 * The half-initialised segment stays in the kernel after exit.  shmat is
 * made to fail by asking for an address that is not page aligned without
 * SHM_RND (EINVAL).  The failure is checked: the program only forgets to
 * undo the shmget before giving up.  The clean twin
 * (missing_rollback_clean.c) fails the same way and its error path
 * removes the segment before giving up.
 *
 * The same segment is also an IPC_PRIVATE segment left with nattch 0 and
 * no IPC_RMID when its creator exits, hence segment-leak as well (one
 * object, two rules).  Prints "leaked-shmid N" for the harness.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "scenario.h"

int main(void)
{
	void *p;
	int id;

	id = shmget(IPC_PRIVATE, 64 * 1024, IPC_CREAT | 0600);
	if (id < 0) {
		perror("missing_rollback: shmget");
		return 1;
	}
	if (DEFECT)
		printf("leaked-shmid %d\n", id);

	p = shmat(id, (void *)0x10001001, 0); /* not page aligned */
	if (p == (void *)-1) {
		perror("missing_rollback: shmat (expected)");
		/* The defect: return without shmctl(id, IPC_RMID). */
		if (!DEFECT && shmctl(id, IPC_RMID, NULL))
			perror("missing_rollback: IPC_RMID");
		return 0;
	}
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
	return 0;
}
