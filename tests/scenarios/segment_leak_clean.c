// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * segment_leak_clean.c - clean twin of segment_leak.c.
 *
 * The same two segments (one IPC_PRIVATE, attached and detached; one
 * keyed, never attached), each removed with IPC_RMID before exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#define SEG_SIZE (64 * 1024)

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

int main(void)
{
	int priv, keyed, ret = 0;
	char *p;

	priv = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | 0600);
	if (priv < 0) {
		perror("segment_leak_clean: shmget");
		return 1;
	}
	p = shmat(priv, NULL, 0);
	if (p == (void *)-1) {
		perror("segment_leak_clean: shmat");
		ret = 1;
	} else {
		strcpy(p, "frame 0");
		if (shmdt(p))
			perror("segment_leak_clean: shmdt");
	}
	if (shmctl(priv, IPC_RMID, NULL))
		perror("segment_leak_clean: IPC_RMID");

	keyed = create_keyed(SEG_SIZE);
	if (keyed < 0) {
		perror("segment_leak_clean: shmget keyed");
		return 1;
	}
	if (shmctl(keyed, IPC_RMID, NULL))
		perror("segment_leak_clean: IPC_RMID keyed");
	return ret;
}
