// SPDX-License-Identifier: GPL-2.0
/*
 * container_stacks.c - the stack a program in a container leaves:
 * tests/integration/test_container_stacks.py builds it static with -g and
 * runs its own copy in a podman container, at a path the host does not
 * have, and checks the shmget event's stack names make_segment and main
 * with their lines (LINE: markers).
 *
 * "container_stacks SECS": creates a private segment, removes it, prints
 * "ready" and stays SECS seconds (0: exits at once), so that its stack is
 * resolved while it lives, or only after it is gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

static int __attribute__((noinline)) make_segment(void)
{
	return shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600); /* LINE:make */
}

int main(int argc, char **argv)
{
	int id = make_segment(); /* LINE:main-make */

	if (id < 0) {
		perror("container_stacks: shmget");
		return 1;
	}
	shmctl(id, IPC_RMID, NULL);
	printf("ready\n");
	fflush(stdout);
	sleep(argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 0);
	return 0;
}
