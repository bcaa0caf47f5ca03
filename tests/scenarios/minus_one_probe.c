// SPDX-License-Identifier: GPL-2.0
/* expect: failed-then-used 3 */
/* expect-text: failed-then-used (no recent failed shmget of this thread leads to it|the shmget at seq \d+ failed with EEXIST) */
/*
 * minus_one_probe.c - a literal -1 is not every failure's result.
 *
 * The program asks for a keyed segment with IPC_EXCL and handles the
 * EEXIST (it opens the existing one instead), works with that segment,
 * and later probes with shmat(-1, ...) and shmctl(-1, IPC_STAT), which
 * fail with EINVAL by design.  The earlier failure is not where the -1
 * came from: the probes are a milder warning that blames no shmget.
 * The defect: the same EEXIST, unchecked, its -1 passed straight to
 * shmat, which is the failure's result used.  The clean twin
 * (minus_one_probe_clean.c) checks that result and only probes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "scenario.h"

#define SIZE (64 * 1024)

int main(void)
{
	key_t key = 0x5e000000 | (getpid() & 0xffffff);
	int id = shmget(key, SIZE, IPC_CREAT | 0600), again;
	struct shmid_ds ds;
	void *p;

	if (id < 0) {
		perror("minus_one_probe: shmget");
		return 1;
	}
	again = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600); /* EEXIST */
	if (again < 0)
		again = shmget(key, SIZE, 0600);
	p = shmat(again, NULL, 0);
	if (p != (void *)-1)
		shmdt(p);
	/* Probes: is SysV IPC there at all? */
	if (shmat(-1, NULL, 0) != (void *)-1 || shmctl(-1, IPC_STAT, &ds) != -1)
		fprintf(stderr, "minus_one_probe: a probe of id -1 worked\n");
	if (DEFECT) {
		/* The defect: the failed result goes on unchecked. */
		again = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600);
		p = shmat(again, NULL, 0);
		if (p != (void *)-1)
			shmdt(p);
	}
	shmctl(id, IPC_RMID, NULL);
	return 0;
}
