// SPDX-License-Identifier: GPL-2.0
/* expect: invalid-detach 2 */
/* options: --all-mmaps */
/*
 * invalid_detach.c - detaching what is no longer attached.
 *
 *   1. shmdt twice on the same attach address: the second fails (EINVAL).
 *   2. munmap twice on the same shared mapping.  The second call returns
 *      0 (munmap of an unmapped range is not an error to the kernel), but
 *      shmwatch saw the range mapped and then unmapped, and with
 *      --all-mmaps it sees every mapping that could have been made there
 *      since, so it knows.  (Without it, a private mapping that took the
 *      range would not be seen: munmap_reused.c.)
 * The segment is removed and nothing is left behind.  The clean twin
 * (invalid_detach_clean.c) releases the same attachment and mapping
 * exactly once each.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "scenario.h"

#define LEN (64 * 1024)

int main(void)
{
	char *p;
	int id;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0) {
		perror("invalid_detach: shmget");
		return 1;
	}
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1) {
		perror("invalid_detach: shmat");
		return 1;
	}
	strcpy(p, "hello");
	if (shmdt(p))
		perror("invalid_detach: shmdt");
	if (DEFECT && shmdt(p)) /* the defect: EINVAL */
		perror("invalid_detach: second shmdt (expected)");

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("invalid_detach: mmap");
		return 1;
	}
	strcpy(p, "hello");
	if (munmap(p, LEN))
		perror("invalid_detach: munmap");
	if (DEFECT)
		munmap(p, LEN); /* the defect: returns 0, nothing there any more */
	return 0;
}
