// SPDX-License-Identifier: GPL-2.0
/*
 * holder.c - two processes that hold shared memory for a while, for the
 * live view's test (tests/integration/test_top.py): each holds a
 * different amount and fails a different number of calls, so that the
 * view's sort orders tell them apart.
 *
 * "holder MANIFEST [SECS]": the parent fails FAILS shmget calls, then
 * attaches a 1 MiB SysV segment and maps a 1 MiB memfd shared; its child
 * (forked first, named holder-child) attaches a 2 MiB segment and maps a
 * 2 MiB POSIX shm object shared.  Each appends one line to MANIFEST once
 * it holds what it holds:
 *     PID COMM HELD_BYTES call=N call=N ...
 * (the calls it made that shmwatch records, by name), then waits SECS
 * seconds (default 60) or for SIGINT/SIGTERM, which the parent passes on
 * to the child.  At the end each detaches and unmaps what it holds and
 * appends "PID exit call=N ...", so that nothing is left and no finding is
 * due.  Exits 0 when all went well.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define FAILS 3

static volatile sig_atomic_t stop;
static const char *manifest;

static void on_stop(int sig)
{
	stop = 1;
}

static void note(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fd = open(manifest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		exit(1);
	close(fd);
}

static void *attach_sysv(size_t size)
{
	int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	void *p;

	if (id < 0)
		exit(1);
	p = shmat(id, NULL, 0);
	/* Removed at once: the segment goes with the last detach. */
	if (p == (void *)-1 || shmctl(id, IPC_RMID, NULL))
		exit(1);
	memset(p, 1, size);
	return p;
}

static void wait_until(time_t end)
{
	while (!stop && time(NULL) < end)
		usleep(20000);
}

static int child(time_t end)
{
	char name[64];
	void *seg, *obj;
	int fd;

	prctl(PR_SET_NAME, "holder-child");
	seg = attach_sysv(2 * MIB);
	snprintf(name, sizeof(name), "/shmwatch-test-holder-%d", getpid());
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, 2 * MIB))
		return 1;
	obj = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (obj == MAP_FAILED || shm_unlink(name))
		return 1;
	close(fd);
	memset(obj, 2, 2 * MIB);
	note("%d holder-child %d shmget=1 shmat=1 shmctl=1 ftruncate=1 mmap=1 unlink=1\n",
	     getpid(), 4 * MIB);
	wait_until(end);
	if (shmdt(seg) || munmap(obj, 2 * MIB))
		return 1;
	note("%d exit shmdt=1 munmap=1\n", getpid());
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	time_t end;
	void *seg, *obj;
	pid_t pid;
	int fd, status;

	if (argc < 2) {
		fprintf(stderr, "usage: holder MANIFEST [SECS]\n");
		return 2;
	}
	manifest = argv[1];
	end = time(NULL) + (argc > 2 ? atoi(argv[2]) : 60);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* First, so that it inherits nothing. */
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(child(end));
	/* A size of 0 is refused (EINVAL): calls that fail, and nothing more. */
	for (int i = 0; i < FAILS; i++)
		if (shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600) != -1 || errno != EINVAL)
			return 1;
	seg = attach_sysv(MIB);
	fd = memfd_create("holder", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, MIB))
		return 1;
	obj = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (obj == MAP_FAILED)
		return 1;
	close(fd);
	memset(obj, 3, MIB);
	note("%d holder %d shmget=%d shmat=1 shmctl=1 memfd_create=1 ftruncate=1 mmap=1 failed_shmget=%d\n",
	     getpid(), 2 * MIB, FAILS + 1, FAILS);
	wait_until(end);
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	if (shmdt(seg) || munmap(obj, MIB))
		return 1;
	note("%d exit shmdt=1 munmap=1\n", getpid());
	return 0;
}
