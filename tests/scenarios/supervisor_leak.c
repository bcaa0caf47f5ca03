// SPDX-License-Identifier: GPL-2.0
/* expect: shm-object-leak 1 */
/* expect: segment-leak 1 */
/* expect-text: shm-object-leak ^/dev/shm/shmwatch-test-sup-\d+-1 \(64 KiB, ino \d+\) was never unlinked */
/* expect-text: segment-leak ^segment \d+ \(IPC_PRIVATE, 64 KiB\) was left with no attachment */
/*
 * supervisor_leak.c - a supervisor that removes its workers' shared
 * memory at shutdown, but forgets some.
 *
 * The parent forks NWORKERS workers; each creates a POSIX shm object
 * (/dev/shm/shmwatch-test-sup-PARENT-N) and an IPC_PRIVATE SysV segment,
 * writes to both, lets go of its mappings and sends the name and the id
 * up a pipe.  Workers 0 and 1 then exit; the last one waits and is
 * killed by the parent with SIGKILL (as stress-ng does to its children).
 * With every creator gone, the parent forks another worker that maps
 * each object and attaches each segment, and exits.  Then the parent
 * removes them: every object with shm_unlink(), every segment with
 * IPC_RMID, except, in this build, worker 1's object and segment, which
 * stay behind once the parent exits: one shm-object-leak, one
 * segment-leak (both decided at the parent's exit, the last process that
 * could still have removed them).  Everything else is removed by a
 * process other than its creator, after the creator's exit: no finding.
 * Prints "leaked-shmid N" and "leaked-object NAME" for what it leaves.
 *
 * The clean twin (supervisor_leak_clean.c) removes everything.  Pipes
 * and waitpid order every step; no timing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"

#define NWORKERS 3
#define FORGOTTEN 1 /* the worker whose object and segment are left */
#define LEN (64 * 1024)

struct made {
	char name[64];
	int shmid;
};

/* Make one object and one segment, hand them to the parent. */
static void worker(int n, int to_parent, int from_parent)
{
	struct made m = { .shmid = -1 };
	char *p, go;
	int fd;

	snprintf(m.name, sizeof(m.name), "/shmwatch-test-sup-%d-%d", (int)getppid(), n);
	fd = shm_open(m.name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, LEN))
		goto fail;
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	snprintf(p, LEN, "object of worker %d", n);
	munmap(p, LEN);
	close(fd);
	m.shmid = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (m.shmid < 0)
		goto fail;
	p = shmat(m.shmid, NULL, 0);
	if (p == (void *)-1)
		goto fail;
	snprintf(p, LEN, "segment of worker %d", n);
	shmdt(p);
	if (write(to_parent, &m, sizeof(m)) != sizeof(m))
		goto fail;
	/* The last worker waits for its SIGKILL (or for the parent's end,
	 * should the parent fail first). */
	if (n == NWORKERS - 1 && read(from_parent, &go, 1) < 0)
		_exit(1);
	_exit(0);
fail:
	perror("supervisor_leak: worker");
	if (fd >= 0)
		shm_unlink(m.name);
	if (m.shmid >= 0)
		shmctl(m.shmid, IPC_RMID, NULL);
	_exit(1);
}

/* Another worker, forked once the creators are gone, uses them all. */
static void user(const struct made *all)
{
	int ret = 0;

	for (int i = 0; i < NWORKERS; i++) {
		int fd = shm_open(all[i].name, O_RDWR, 0);
		char *p;

		p = fd < 0 ? MAP_FAILED : mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			ret = 1;
		else
			munmap(p, LEN);
		if (fd >= 0)
			close(fd);
		p = shmat(all[i].shmid, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			ret = 1;
		else
			shmdt(p);
	}
	_exit(ret);
}

static int wait_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status);
}

int main(void)
{
	struct made all[NWORKERS];
	int up[2], down[2], ret = 0, status;
	pid_t pids[NWORKERS], pid;
	int n;

	if (pipe(up) || pipe(down)) {
		perror("supervisor_leak: pipe");
		return 1;
	}
	for (n = 0; n < NWORKERS; n++) {
		pids[n] = fork();
		if (pids[n] < 0) {
			perror("supervisor_leak: fork");
			break;
		}
		if (pids[n] == 0) {
			close(up[0]);
			close(down[1]);
			worker(n, up[1], down[0]);
		}
	}
	close(up[1]);
	close(down[0]);
	/* In the workers' order or not, each says what it made. */
	for (int i = 0; i < n; i++) {
		struct made m;
		int w;

		if (read(up[0], &m, sizeof(m)) != sizeof(m) ||
		    sscanf(m.name, "/shmwatch-test-sup-%*d-%d", &w) != 1 || w < 0 || w >= n) {
			fprintf(stderr, "supervisor_leak: a worker failed\n");
			ret = 1;
			break;
		}
		all[w] = m;
	}
	if (n == NWORKERS && !ret) {
		kill(pids[NWORKERS - 1], SIGKILL);
		waitpid(pids[NWORKERS - 1], &status, 0);
		for (int i = 0; i < NWORKERS - 1; i++)
			if (!wait_ok(pids[i]))
				ret = 1;
		pid = fork();
		if (pid == 0)
			user(all);
		if (pid < 0 || !wait_ok(pid)) {
			fprintf(stderr, "supervisor_leak: the user failed\n");
			ret = 1;
		}
	} else {
		for (int i = 0; i < n; i++) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &status, 0);
		}
		n = 0; /* what was made is unknown: the harness removes it */
	}
	/* The shutdown: remove what the workers made. */
	for (int i = 0; i < n && i < NWORKERS; i++) {
		if (DEFECT && i == FORGOTTEN) {
			printf("leaked-object /dev/shm%s\n", all[i].name);
			printf("leaked-shmid %d\n", all[i].shmid);
			continue;
		}
		if (shm_unlink(all[i].name)) {
			perror("supervisor_leak: shm_unlink");
			ret = 1;
		}
		if (shmctl(all[i].shmid, IPC_RMID, NULL)) {
			perror("supervisor_leak: IPC_RMID");
			ret = 1;
		}
	}
	return ret;
}
