// SPDX-License-Identifier: GPL-2.0
/* expect: use-after-detach 2 */
/*
 * use_after_detach.c - writing through a pointer after releasing it.
 *
 * Two children, each dying of SIGSEGV inside a range it released:
 *   1. shmat, write, shmdt, write again through the stale pointer;
 *   2. the same with a MAP_SHARED|MAP_ANONYMOUS mapping and munmap.
 * No call runs between the release and the stale write, so nothing can
 * have been mapped there in between.  The segment is marked IPC_RMID
 * right after shmat, so it goes away with the detach.  The parent waits
 * for both children and exits 0.  The faulting lines carry LINE: markers
 * (tests/integration/test_stacks.py).
 *
 * The clean twin (use_after_detach_clean.c) makes the second write while
 * the memory is still attached or mapped, then releases it; its children
 * exit 0.
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

#define LEN (64 * 1024)

static void stale_shm_write(void)
{
	volatile char *p;
	int id;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0)
		_exit(1);
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1)
		_exit(1);
	p[100] = 1;
	if (!DEFECT)
		p[100] = 2; /* while still attached */
	shmdt((void *)p);
	if (DEFECT)
		p[100] = 2; /* SIGSEGV */ /* LINE:shm-fault */
}

static void stale_mmap_write(void)
{
	volatile char *p;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	p[100] = 1;
	if (!DEFECT)
		p[100] = 2; /* while still mapped */
	munmap((void *)p, LEN);
	if (DEFECT)
		p[100] = 2; /* SIGSEGV */ /* LINE:mmap-fault */
}

static void run_crashing(void (*fn)(void), const char *name)
{
	int status, ok;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("use_after_detach: fork");
		return;
	}
	if (pid == 0) {
		no_core_dumps();
		fn(); /* LINE:crash-call */
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok = DEFECT ? WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV
		    : WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok)
		fprintf(stderr, "use_after_detach: %s %s\n", name,
			DEFECT ? "did not fault" : "failed");
}

int main(void)
{
	run_crashing(stale_shm_write, "shmdt child");
	run_crashing(stale_mmap_write, "munmap child");
	return 0;
}
