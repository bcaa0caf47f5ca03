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
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

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
	shmdt((void *)p);
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
	munmap((void *)p, LEN);
	p[100] = 2; /* SIGSEGV */ /* LINE:mmap-fault */
}

static void run_crashing(void (*fn)(void), const char *name)
{
	struct rlimit no_core = { 0, 0 };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("use_after_detach: fork");
		return;
	}
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &no_core);
		fn(); /* LINE:crash-call */
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		fprintf(stderr, "use_after_detach: %s did not fault\n", name);
}

int main(void)
{
	run_crashing(stale_shm_write, "shmdt child");
	run_crashing(stale_mmap_write, "munmap child");
	return 0;
}
