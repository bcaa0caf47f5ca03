// SPDX-License-Identifier: GPL-2.0
/* expect: shm-limit-reached 1 */
/* expect-text: shm-limit-reached ^shmget\(IPC_PRIVATE, 4\.0 KiB\) failed with ENOSPC: kernel\.shmmni \(ids\) or kernel\.shmall \(pages\) of its IPC namespace ipc:\[\d+\] reached: at least 32 KiB in 8 segments in use, biggest 4\.0 KiB \(pid \d+ shm_limit\).*; shmwatch cannot read that namespace's limits: see nsenter --ipc --target \d+ ipcs -m -l$ */
/*
 * shm_limit.c - a pool that wants one SysV segment per worker runs into
 * kernel.shmmni, and all the program says is ENOSPC.
 *
 * To reach a limit for real without touching the host's, it runs in an
 * IPC namespace of its own (unshare(CLONE_NEWIPC), as root): a new
 * namespace has its own segments and its own kernel.shm* sysctls, and
 * this one is given kernel.shmmni = 8.  Twelve workers ask for a 4 KiB
 * segment each; the ninth shmget fails with ENOSPC.  The program checks
 * every result, stops at the failure and removes every segment it made.
 *
 * shmwatch read the limits of its own namespace (4096 ids by default),
 * which are not the ones that applied here: the finding must count the
 * segments of this namespace, say which limits an ENOSPC can be, and
 * where to read this namespace's values, without quoting shmwatch's.
 *
 * Nothing can be left behind: the segments are removed with IPC_RMID on
 * every path, and even if this process died before that, a namespace's
 * segments are destroyed with the namespace when its last process exits.
 *
 * The clean twin (shm_limit_clean.c) runs six workers under the same
 * limit: no finding.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "scenario.h"

#define SHMMNI 8
#define WORKERS (DEFECT ? 12 : 6)
#define SEG_SIZE 4096

static int set_shmmni(int n)
{
	char buf[16];
	ssize_t len;
	int fd;

	fd = open("/proc/sys/kernel/shmmni", O_RDWR);
	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%d\n", n);
	if (write(fd, buf, len) != len) {
		close(fd);
		return -1;
	}
	/* Read it back: the value must be this namespace's. */
	memset(buf, 0, sizeof(buf));
	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0 || atoi(buf) != n) {
		close(fd);
		errno = EIO;
		return -1;
	}
	close(fd);
	return 0;
}

int main(void)
{
	int ids[WORKERS], n = 0, rc = 0;

	if (unshare(CLONE_NEWIPC)) {
		perror("shm_limit: unshare(CLONE_NEWIPC)");
		return 1;
	}
	if (set_shmmni(SHMMNI)) {
		perror("shm_limit: kernel.shmmni");
		return 1;
	}
	for (int i = 0; i < WORKERS; i++) {
		int id = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | 0600);

		if (id < 0) {
			/* What such programs print: a bare errno. */
			fprintf(stderr, "shm_limit: worker %d: shmget: %s\n", i, strerror(errno));
			if (!DEFECT || errno != ENOSPC)
				rc = 1;
			break;
		}
		ids[n++] = id;
	}
	if (DEFECT && n != SHMMNI) {
		fprintf(stderr, "shm_limit: %d segments made, expected the limit %d\n", n, SHMMNI);
		rc = 1;
	}
	while (n > 0)
		if (shmctl(ids[--n], IPC_RMID, NULL))
			rc = 1;
	return rc;
}
