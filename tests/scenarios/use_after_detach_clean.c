// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * use_after_detach_clean.c - clean twin of use_after_detach.c.
 *
 * The same two children, each writing only while the memory is attached
 * or mapped, then releasing it and exiting 0.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN (64 * 1024)

static void shm_write(void)
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
	p[100] = 2;
	shmdt((void *)p);
}

static void mmap_write(void)
{
	volatile char *p;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	p[100] = 1;
	p[100] = 2;
	munmap((void *)p, LEN);
}

static void run_child(void (*fn)(void), const char *name)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("use_after_detach_clean: fork");
		return;
	}
	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "use_after_detach_clean: %s failed\n", name);
}

int main(void)
{
	run_child(shm_write, "shmdt child");
	run_child(mmap_write, "munmap child");
	return 0;
}
