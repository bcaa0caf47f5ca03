// SPDX-License-Identifier: GPL-2.0
/*
 * dontfork.c - attachments a fork leaves out of the child (MADV_DONTFORK).
 *
 * Attaches segment A and marks it MADV_DONTFORK; attaches segment B, marks
 * it MADV_DONTFORK and then its middle page MADV_DOFORK, so the kernel
 * splits it in three and a child inherits only the middle page.  Then
 * forks: the child sleeps (at most 60 s; the test kills it), the parent
 * writes the child's pid to argv[1], detaches both, removes both
 * (IPC_RMID) and exits.  A is gone then, B lives on in the child.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define SEG_SIZE (1UL << 20)

static char *attach(int *id)
{
	char *p;

	*id = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | 0600);
	if (*id < 0) {
		perror("dontfork: shmget");
		exit(1);
	}
	p = shmat(*id, NULL, 0);
	if (p == (char *)-1) {
		perror("dontfork: shmat");
		shmctl(*id, IPC_RMID, NULL);
		exit(1);
	}
	if (madvise(p, SEG_SIZE, MADV_DONTFORK))
		perror("dontfork: madvise");
	return p;
}

static void write_pid(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror("dontfork: pid file");
		return;
	}
	fprintf(f, "%d\n", pid);
	fclose(f);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	int a_id, b_id;
	char *a, *b;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: dontfork PIDFILE\n");
		return 2;
	}
	a = attach(&a_id);
	b = attach(&b_id);
	if (madvise(b + page, page, MADV_DOFORK))
		perror("dontfork: madvise");
	pid = fork();
	if (pid < 0) {
		perror("dontfork: fork");
		return 1;
	}
	if (pid == 0) {
		sleep(60);
		_exit(0);
	}
	write_pid(argv[1], pid);
	shmdt(a);
	shmdt(b);
	shmctl(a_id, IPC_RMID, NULL);
	shmctl(b_id, IPC_RMID, NULL);
	return 0;
}
