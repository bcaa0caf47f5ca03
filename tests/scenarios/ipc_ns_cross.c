// SPDX-License-Identifier: GPL-2.0
/* expect: ipc-namespace-mismatch 1 */
/* expect-text: ipc-namespace-mismatch ^shmat\(0\) failed with EINVAL in IPC namespace ipc:\[\d+\]: no segment 0 there, but segment 0 \(1\.0 MiB, made by pid \d+ ipc_ns_cross\) lives in IPC namespace ipc:\[\d+\]; a SysV id means something only in the namespace that made it */
/*
 * ipc_ns_cross.c - MIT-SHM across IPC namespaces: a client in a container
 * makes a SysV segment and sends its id to an X server that runs in
 * another IPC namespace.  The server's shmat fails with EINVAL (the
 * client gets BadAccess), because a SysV id names a segment only inside
 * the namespace that made it.
 *
 * Both sides get a fresh IPC namespace of their own (unshare(CLONE_NEWIPC),
 * as root), so that the id cannot happen to name a segment on the
 * server's side: a new namespace has no segments, and numbers its first
 * one 0.  The client checks every result, removes its segment on every
 * path and, like an X client told BadAccess, falls back to drawing
 * without shared memory.  The server, also like a real one, reports the
 * failed attach and carries on.  Pipes order every step; no timing.
 *
 * The clean twin (ipc_ns_cross_clean.c) forks the server from the client,
 * inside the client's namespace: the attach works, nothing is found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"

#define LEN (1024 * 1024)

/* Attach the id read from `from`, check the client's pattern, answer
 * 'K' (drawn) or 'F' (BadAccess) on `to`. */
static int server(int from, int to)
{
	char *p, answer = 'F';
	int id;

	if (read(from, &id, sizeof(id)) != sizeof(id))
		return 1;
	p = shmat(id, NULL, SHM_RDONLY);
	if (p == (void *)-1) {
		fprintf(stderr, "server: shmat(%d): %s: BadAccess\n", id, strerror(errno));
	} else {
		if (p[0] == 'x' && p[LEN - 1] == 'y')
			answer = 'K';
		shmdt(p);
	}
	return write(to, &answer, 1) == 1 ? 0 : 1;
}

/* Fork the server; in the defective build it gets a namespace of its own. */
static pid_t start_server(int from, int to, int unshare_it)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (unshare_it && unshare(CLONE_NEWIPC))
			_exit(1);
		_exit(server(from, to));
	}
	return pid;
}

static int client(int to_server, int from_server)
{
	char answer = 0, *p;
	int id, ret = 1;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0)
		return 1;
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		goto out;
	p[0] = 'x';
	p[LEN - 1] = 'y';
	if (write(to_server, &id, sizeof(id)) != sizeof(id) ||
	    read(from_server, &answer, 1) != 1)
		goto detach;
	if (answer == 'K')
		printf("client: drawn through MIT-SHM\n");
	else
		printf("client: BadAccess, drawing without shared memory\n");
	ret = 0;
detach:
	shmdt(p);
out:
	shmctl(id, IPC_RMID, NULL);
	return ret;
}

int main(void)
{
	int to_server[2], from_server[2], status, ret = 0;
	pid_t cl, sv = -1;

	if (pipe(to_server) || pipe(from_server))
		return 1;
	/* The defect: the server lives in another namespace than the client. */
	if (DEFECT)
		sv = start_server(to_server[0], from_server[1], 1);
	cl = fork();
	if (cl == 0) {
		pid_t inner = -1;

		if (unshare(CLONE_NEWIPC)) {
			perror("unshare(CLONE_NEWIPC)");
			_exit(1);
		}
		/* The clean twin: the server forked inside the client's namespace. */
		if (!DEFECT)
			inner = start_server(to_server[0], from_server[1], 0);
		ret = client(to_server[1], from_server[0]);
		fflush(stdout);
		if (inner > 0 && (waitpid(inner, &status, 0) != inner || status))
			ret = 1;
		_exit(ret);
	}
	if (waitpid(cl, &status, 0) != cl || status)
		ret = 1;
	if (sv > 0 && (waitpid(sv, &status, 0) != sv || status))
		ret = 1;
	return ret;
}
