// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/* mode: pid */
/*
 * already_running.c - a process that was running before shmwatch started.
 *
 * With WORKLOAD_WAIT=1 it first sets up, untraced: a SysV segment
 * attached (not yet removed), a shared anonymous mapping, a memfd mapping
 * and a POSIX shm mapping (its /dev/shm name unlinked at once, so nothing
 * is left behind if the test dies).  Then it prints "ready" and waits for
 * a line on stdin; the harness attaches shmwatch -p meanwhile.  After
 * that it writes to everything and releases it all correctly.
 *
 * Every release refers to something shmwatch never saw created; it must
 * know them from /proc (maps, sysvipc/shm) and report nothing.  Without
 * WORKLOAD_WAIT it runs straight through.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define LEN (64 * 1024)

static void wait_if_asked(void)
{
	const char *w = getenv("WORKLOAD_WAIT");
	char line[64];

	if (!w || strcmp(w, "1"))
		return;
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		fprintf(stderr, "already_running: no go line, going on\n");
}

static char *map_fd(int fd)
{
	char *p = MAP_FAILED;

	if (fd >= 0 && !ftruncate(fd, LEN))
		p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd >= 0)
		close(fd);
	return p;
}

int main(void)
{
	char *seg, *anon, *mfd, *posix, name[64];
	int id, ret = 0;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0) {
		perror("already_running: shmget");
		return 1;
	}
	seg = shmat(id, NULL, 0);
	if (seg == (void *)-1) {
		perror("already_running: shmat");
		shmctl(id, IPC_RMID, NULL);
		return 1;
	}
	anon = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mfd = map_fd(memfd_create("already-running", MFD_CLOEXEC));
	snprintf(name, sizeof(name), "/shmwatch-already-running-%d", getpid());
	posix = map_fd(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
	shm_unlink(name);
	if (anon == MAP_FAILED || mfd == MAP_FAILED || posix == MAP_FAILED) {
		fprintf(stderr, "already_running: a mapping failed\n");
		ret = 1;
	}

	wait_if_asked();

	strcpy(seg, "traced now");
	if (shmdt(seg))
		perror("already_running: shmdt");
	if (shmctl(id, IPC_RMID, NULL))
		perror("already_running: IPC_RMID");
	if (anon != MAP_FAILED) {
		strcpy(anon, "traced now");
		munmap(anon, LEN);
	}
	if (mfd != MAP_FAILED) {
		strcpy(mfd, "traced now");
		munmap(mfd, LEN);
	}
	if (posix != MAP_FAILED) {
		strcpy(posix, "traced now");
		munmap(posix, LEN);
	}
	return ret;
}
