// SPDX-License-Identifier: GPL-2.0
/* expect: failed-then-used 5 */
/*
 * failed_then_used.c - the result of a failed call, used anyway.
 *
 * Five failed results, each used exactly once afterwards:
 *   1. shmget fails (size 0: EINVAL), then shmat(-1)
 *   2. shmget fails again, then shmctl(-1, IPC_RMID)
 *   3. shmat fails (misaligned address, no SHM_RND: EINVAL), then
 *      shmdt((void *)-1); the segment itself is removed properly
 *   4. mmap fails (MAP_SHARED with fd -1: EBADF), then munmap(MAP_FAILED)
 *   5. in a child: mmap fails the same way and the child writes through
 *      MAP_FAILED; (char *)-1 + 4196 wraps to address 0x1063, inside the
 *      1 MiB it asked for, and the child dies of SIGSEGV there.
 * The parent waits for the child and exits 0.
 *
 * The clean twin (failed_then_used_clean.c) makes the same five failing
 * calls and checks each result: nothing uses a failed one, and its child
 * exits 0 instead of writing.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"

#define MAP_LEN (1024 * 1024)

/* The defect: a failed result is used unchecked; the clean twin checks it. */
#define CHECKED(failed) (!DEFECT && (failed))

static void shmget_then_shmat(void)
{
	int id = shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600); /* EINVAL */
	void *p;

	if (CHECKED(id < 0))
		return;
	p = shmat(id, NULL, 0);
	if (p != (void *)-1)
		shmdt(p);
}

static void shmget_then_shmctl(void)
{
	int id = shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600); /* EINVAL */

	if (CHECKED(id < 0))
		return;
	shmctl(id, IPC_RMID, NULL);
}

static void shmat_then_shmdt(void)
{
	int id = shmget(IPC_PRIVATE, 64 * 1024, IPC_CREAT | 0600);
	void *p;

	if (id < 0) {
		perror("failed_then_used: shmget");
		return;
	}
	p = shmat(id, (void *)0x10001001, 0); /* not page aligned */
	if (!CHECKED(p == (void *)-1))
		shmdt(p); /* p is (void *)-1 */
	shmctl(id, IPC_RMID, NULL);
}

static void mmap_then_munmap(void)
{
	void *p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, -1, 0);

	if (CHECKED(p == MAP_FAILED))
		return;
	munmap(p, MAP_LEN); /* p is MAP_FAILED */
}

static void mmap_then_write_in_child(void)
{
	volatile char *p;
	int status, ok;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("failed_then_used: fork");
		return;
	}
	if (pid == 0) {
		no_core_dumps();
		p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, -1,
			 0);
		if (CHECKED(p == MAP_FAILED))
			_exit(0);
		p[4096 + 100] = 1; /* faults at 0x1063 */
		munmap((void *)p, MAP_LEN);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok = DEFECT ? WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV
		    : WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok)
		fprintf(stderr, "failed_then_used: the child %s\n",
			DEFECT ? "did not fault" : "failed");
}

int main(void)
{
	shmget_then_shmat();
	shmget_then_shmctl();
	shmat_then_shmdt();
	mmap_then_munmap();
	mmap_then_write_in_child();
	return 0;
}
