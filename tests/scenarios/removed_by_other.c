// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * removed_by_other.c - a segment removed by a process that did not create it.
 *
 * The child creates an IPC_PRIVATE segment, writes to it and passes the
 * id up a pipe.  The parent attaches it, reads, marks it IPC_RMID,
 * detaches and tells the child; the child detaches and exits, and the
 * kernel frees the segment.  The creator never calls IPC_RMID itself, yet
 * nothing leaks: the removal happened, in another process, before the
 * creator exited.  Pipes order every step; no timing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN (64 * 1024)

static void creator(int to_parent, int from_parent)
{
	char *p, go;
	int id;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0)
		_exit(1);
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		shmctl(id, IPC_RMID, NULL);
		_exit(1);
	}
	strcpy(p, "made by the child");
	if (write(to_parent, &id, sizeof(id)) != sizeof(id) ||
	    read(from_parent, &go, 1) != 1) {
		/* The parent is gone: nobody else will remove it. */
		shmdt(p);
		shmctl(id, IPC_RMID, NULL);
		_exit(1);
	}
	shmdt(p);
	_exit(0);
}

int main(void)
{
	int up[2], down[2], id, status, ret = 0;
	char *p;
	pid_t pid;

	if (pipe(up) || pipe(down)) {
		perror("removed_by_other: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("removed_by_other: fork");
		return 1;
	}
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		creator(up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);

	if (read(up[0], &id, sizeof(id)) != sizeof(id)) {
		fprintf(stderr, "removed_by_other: child failed\n");
		waitpid(pid, &status, 0);
		return 1;
	}
	p = shmat(id, NULL, 0);
	if (shmctl(id, IPC_RMID, NULL))
		perror("removed_by_other: IPC_RMID");
	if (p == (void *)-1) {
		perror("removed_by_other: shmat");
		ret = 1;
	} else {
		if (strcmp(p, "made by the child"))
			ret = 1;
		shmdt(p);
	}
	if (write(down[1], "g", 1) != 1)
		ret = 1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ret = 1;
	return ret;
}
