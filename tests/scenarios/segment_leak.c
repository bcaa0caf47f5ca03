// SPDX-License-Identifier: GPL-2.0
/* expect: segment-leak 2 */
/*
 * segment_leak.c - segments that outlive their creator.
 *
 * Creates two SysV segments and exits without IPC_RMID, so both stay in
 * the kernel with nattch 0 (ipcs -m shows them):
 *   - an IPC_PRIVATE segment, attached, written, detached: error, since
 *     nobody can ever look it up again;
 *   - a keyed segment, never attached: warning, it might be meant to
 *     persist (as ipcmk's are).
 * Prints "leaked-shmid N" for each so the harness can remove them.  The
 * clean twin (segment_leak_clean.c) makes the same two segments and
 * removes both with IPC_RMID before it exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "scenario.h"

#define SEG_SIZE (64 * 1024)

/* A key no other test uses at the same time: derived from the pid, probed. */
static int create_keyed(size_t size)
{
	key_t key = 0x53570000 | (getpid() & 0xffff);
	int i, id;

	for (i = 0; i < 64; i++, key++) {
		id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
		if (id >= 0 || errno != EEXIST)
			return id;
	}
	return -1;
}

/* The defect: the defective build never removes what it made. */
static void remove_segment(int id)
{
	if (!DEFECT && id >= 0 && shmctl(id, IPC_RMID, NULL))
		perror("segment_leak: IPC_RMID");
}

int main(void)
{
	int priv, keyed = -1, ret = 1;
	char *p;

	priv = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | 0600);
	if (priv < 0) {
		perror("segment_leak: shmget");
		return 1;
	}
	if (DEFECT)
		printf("leaked-shmid %d\n", priv);
	p = shmat(priv, NULL, 0);
	if (p == (void *)-1) {
		perror("segment_leak: shmat");
		goto out;
	}
	strcpy(p, "frame 0");
	if (shmdt(p))
		perror("segment_leak: shmdt");

	keyed = create_keyed(SEG_SIZE);
	if (keyed < 0) {
		perror("segment_leak: shmget keyed");
		goto out;
	}
	if (DEFECT)
		printf("leaked-shmid %d\n", keyed);
	ret = 0;
out:
	remove_segment(priv);
	remove_segment(keyed);
	return ret;
}
