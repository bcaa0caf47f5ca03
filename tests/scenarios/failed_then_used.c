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

#define MAP_LEN (1024 * 1024)

static void shmget_then_shmat(void)
{
	int id = shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600);

	if (id < 0)
		fprintf(stderr, "failed_then_used: shmget failed, going on\n");
	shmat(id, NULL, 0);
}

static void shmget_then_shmctl(void)
{
	int id = shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600);

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
	shmdt(p); /* p is (void *)-1 */
	shmctl(id, IPC_RMID, NULL);
}

static void mmap_then_munmap(void)
{
	void *p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, -1, 0);

	munmap(p, MAP_LEN); /* p is MAP_FAILED */
}

static void mmap_then_write_in_child(void)
{
	struct rlimit no_core = { 0, 0 };
	volatile char *p;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("failed_then_used: fork");
		return;
	}
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &no_core);
		p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, -1,
			 0);
		p[4096 + 100] = 1; /* faults at 0x1063 */
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		fprintf(stderr, "failed_then_used: child did not fault\n");
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
