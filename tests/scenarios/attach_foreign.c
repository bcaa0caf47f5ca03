// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * attach_foreign.c - attaching segments another process created.
 *
 * The child creates two segments, a keyed one and an IPC_PRIVATE one,
 * writes to both and sends the key and the private id up a pipe.  The
 * parent finds the keyed one with shmget(key, 0, 0) (a lookup, not a
 * creation) and attaches the private one straight by id (no shmget at
 * all in this process), reads both and detaches.  Then the child, their
 * creator, removes both.  The parent never removes what it did not
 * create, which is right.  Pipes order every step; no timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN (64 * 1024)

struct handoff {
	key_t key;
	int private_id;
};

static int create_keyed(key_t *key)
{
	int i, id;

	*key = 0x53590000 | (getpid() & 0xffff);
	for (i = 0; i < 64; i++, (*key)++) {
		id = shmget(*key, LEN, IPC_CREAT | IPC_EXCL | 0600);
		if (id >= 0 || errno != EEXIST)
			return id;
	}
	return -1;
}

static int fill(int id, const char *text)
{
	char *p = shmat(id, NULL, 0);

	if (p == (void *)-1)
		return -1;
	strcpy(p, text);
	return shmdt(p);
}

static void creator(int to_parent, int from_parent)
{
	struct handoff h;
	int keyed, priv, ok;
	char done;

	keyed = create_keyed(&h.key);
	priv = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	h.private_id = priv;
	ok = keyed >= 0 && priv >= 0 && !fill(keyed, "keyed") &&
	     !fill(priv, "private");
	if (ok)
		ok = write(to_parent, &h, sizeof(h)) == sizeof(h) &&
		     read(from_parent, &done, 1) == 1;
	if (keyed >= 0)
		shmctl(keyed, IPC_RMID, NULL);
	if (priv >= 0)
		shmctl(priv, IPC_RMID, NULL);
	_exit(ok ? 0 : 1);
}

static int read_segment(int id, const char *expect)
{
	char *p = shmat(id, NULL, SHM_RDONLY);
	int ret;

	if (p == (void *)-1) {
		perror("attach_foreign: shmat");
		return 1;
	}
	ret = strcmp(p, expect) != 0;
	shmdt(p);
	return ret;
}

int main(void)
{
	int up[2], down[2], id, status, ret = 0;
	struct handoff h;
	pid_t pid;

	if (pipe(up) || pipe(down)) {
		perror("attach_foreign: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("attach_foreign: fork");
		return 1;
	}
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		creator(up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);

	if (read(up[0], &h, sizeof(h)) != sizeof(h)) {
		fprintf(stderr, "attach_foreign: child failed\n");
		waitpid(pid, &status, 0);
		return 1;
	}
	id = shmget(h.key, 0, 0);
	if (id < 0) {
		perror("attach_foreign: shmget lookup");
		ret = 1;
	} else {
		ret |= read_segment(id, "keyed");
	}
	ret |= read_segment(h.private_id, "private");

	if (write(down[1], "d", 1) != 1)
		ret = 1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ret = 1;
	return ret;
}
