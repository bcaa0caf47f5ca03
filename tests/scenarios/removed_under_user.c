// SPDX-License-Identifier: GPL-2.0
/* expect: removed-while-in-use 2 */
/* expect-text: removed-while-in-use ^(shmget\(0x[0-9a-f]+\) failed with ENOENT|shmctl\(\d+, IPC_RMID\) failed with EINVAL): segment \d+ \(key 0x[0-9a-f]{8}, 64 KiB, made by pid \d+ removed_under_u\) was removed with IPC_RMID at seq \d+ by pid \d+ ipcrm, uid 0, ipcrm -M 0x[0-9a-f]+, which neither created nor attached it */
/*
 * removed_under_user.c - a cleanup job removes a segment that a service
 * still needs.
 *
 * The service keeps a keyed SysV segment (its shared table) that its
 * workers attach by key while they run, so between workers nobody is
 * attached to it.  A cleanup job that takes "nattch 0" for "stale" runs
 * util-linux's ipcrm -M KEY, the way such jobs do.  The next worker's
 * shmget(KEY, 0, 0) fails with ENOENT, and the service's own IPC_RMID at
 * shutdown with EINVAL: two processes that needed it, one removal.
 *
 * The clean twin (removed_under_user_clean.c) points the same cleanup at
 * a truly stale segment, made by a process that has exited, and the
 * service runs undisturbed.  Both remove everything they made: the
 * service its segment (the defective build finds it gone), the clean
 * twin the stale one through ipcrm.  Every step is ordered by waitpid;
 * no timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"

#define LEN (64 * 1024)

static int wait_ok(pid_t pid)
{
	int status;

	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

/* A worker: find the table by key, read it, let go. */
static int worker(key_t key)
{
	pid_t pid = fork();

	if (pid == 0) {
		int id = shmget(key, 0, 0);
		char *p;

		if (id < 0) {
			fprintf(stderr, "worker: shmget(0x%x): %s\n", (unsigned int)key,
				strerror(errno));
			_exit(2);
		}
		p = shmat(id, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			_exit(1);
		_exit(p[0] == 't' ? (shmdt(p), 0) : 1);
	}
	return wait_ok(pid);
}

/* The cleanup job: ipcrm -M KEY, as a script runs it. */
static int cleanup(key_t key)
{
	char arg[16];
	pid_t pid;

	snprintf(arg, sizeof(arg), "0x%x", (unsigned int)key);
	pid = fork();
	if (pid == 0) {
		execl("/usr/bin/ipcrm", "ipcrm", "-M", arg, (char *)NULL);
		_exit(127);
	}
	return wait_ok(pid);
}

/* A segment whose maker has exited: what the cleanup is meant for. */
static key_t make_stale(key_t key)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600) < 0);
	return wait_ok(pid) ? key : -1;
}

/* A key no segment has yet, from our pid. */
static key_t free_key(unsigned int salt)
{
	key_t key = (key_t)(0x5a000000u | ((unsigned int)getpid() << 4) | salt);

	while (shmget(key, 0, 0) >= 0)
		key++;
	return key;
}

int main(void)
{
	key_t key = free_key(1), stale = -1;
	int id, ret = 0;
	char *p;

	id = shmget(key, LEN, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return 1;
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		shmctl(id, IPC_RMID, NULL);
		return 1;
	}
	p[0] = 't';
	shmdt(p);
	if (!worker(key))
		ret = 1;
	if (!DEFECT) {
		stale = make_stale(free_key(2));
		if (stale == -1)
			ret = 1;
	}
	/* The defect: the cleanup takes the service's own table. */
	if (!cleanup(DEFECT ? key : stale))
		ret = 1;
	/* The next worker: in the defective build it cannot find the table. */
	if (worker(key) != !DEFECT)
		ret = 1;
	if (shmctl(id, IPC_RMID, NULL) != (DEFECT ? -1 : 0))
		ret = 1;
	return ret;
}
