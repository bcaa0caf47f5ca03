// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * failed_then_used_clean.c - clean twin of failed_then_used.c.
 *
 * The same five failures, each checked: nothing uses a failed result.
 * The segment whose shmat failed is still removed, and the child whose
 * mmap failed exits 0 instead of writing.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_LEN (1024 * 1024)

static void checked_shmget(void)
{
	int id = shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600);
	void *p;

	if (id < 0)
		return;
	/* Not reached: size 0 always fails.  What the code would do. */
	p = shmat(id, NULL, 0);
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

static void checked_shmat(void)
{
	int id = shmget(IPC_PRIVATE, 64 * 1024, IPC_CREAT | 0600);
	void *p;

	if (id < 0) {
		perror("failed_then_used_clean: shmget");
		return;
	}
	p = shmat(id, (void *)0x10001001, 0); /* not page aligned */
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

static void checked_mmap(void)
{
	void *p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, MAP_LEN);
}

static void checked_mmap_in_child(void)
{
	volatile char *p;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("failed_then_used_clean: fork");
		return;
	}
	if (pid == 0) {
		p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, -1,
			 0);
		if (p == MAP_FAILED)
			_exit(0);
		p[4096 + 100] = 1;
		munmap((void *)p, MAP_LEN);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "failed_then_used_clean: child failed\n");
}

int main(void)
{
	checked_shmget();
	checked_shmget();
	checked_shmat();
	checked_mmap();
	checked_mmap_in_child();
	return 0;
}
