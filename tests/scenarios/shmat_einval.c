// SPDX-License-Identifier: GPL-2.0
/* expect: failed-then-used 1 */
/* expect-text: failed-then-used shmat on id \d+, which does not exist \(EINVAL\) */
/*
 * shmat_einval.c - shmat's EINVAL is not always about the id.
 *
 * do_shmat checks the flags and the address before it looks the id up:
 * stress-ng calls shmat(id, NULL, ~0) on a live segment, and SHM_REMAP
 * without an address fails with EINVAL whatever the id.  Here a live
 * segment gets that call a hundred times, and an unaligned address
 * without SHM_RND once: none of it says the id is bad.  The defect: the
 * segment is removed and then attached again, with a NULL address and no
 * SHM_REMAP, where EINVAL can only mean the id is gone.  The clean twin
 * (shmat_einval_clean.c) makes the same failing calls on the live
 * segment and does not use the removed id.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "scenario.h"

int main(void)
{
	int id = shmget(IPC_PRIVATE, 64 * 1024, IPC_CREAT | 0600);
	void *p;

	if (id < 0) {
		perror("shmat_einval: shmget");
		return 1;
	}
	for (int i = 0; i < 100; i++)
		if (shmat(id, NULL, ~0) != (void *)-1)
			fprintf(stderr, "shmat_einval: SHM_REMAP without an address worked\n");
	if (shmat(id, (void *)0x10001001, 0) != (void *)-1)
		fprintf(stderr, "shmat_einval: an unaligned address worked\n");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		perror("shmat_einval: shmat");
		shmctl(id, IPC_RMID, NULL);
		return 1;
	}
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
	/* The defect: the id is gone (EINVAL). */
	if (DEFECT && shmat(id, NULL, 0) != (void *)-1)
		fprintf(stderr, "shmat_einval: a removed id attached\n");
	return 0;
}
