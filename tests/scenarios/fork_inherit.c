// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * fork_inherit.c - a forked child inherits attachments and exits.
 *
 * The parent attaches a SysV segment and maps a shared anonymous region,
 * then forks.  The child writes through both, detaches the segment
 * itself (an attachment it never shmat'd, inherited by fork) and leaves
 * the mapping to exit.  The parent then checks what the child wrote and
 * releases its own copies.  Nothing here is a defect: the child's shmdt
 * is valid, the parent's shmdt after the child's is valid too, and a
 * mapping dropped by exit is a summary item, not a finding.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN (64 * 1024)

int main(void)
{
	char *seg, *map;
	int id, status, ret = 0;
	pid_t pid;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0) {
		perror("fork_inherit: shmget");
		return 1;
	}
	seg = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (seg == (void *)-1) {
		perror("fork_inherit: shmat");
		return 1;
	}
	map = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("fork_inherit: mmap");
		shmdt(seg);
		return 1;
	}

	pid = fork();
	if (pid < 0) {
		perror("fork_inherit: fork");
		ret = 1;
	} else if (pid == 0) {
		strcpy(seg, "from child");
		strcpy(map, "from child");
		_exit(shmdt(seg) ? 1 : 0);
	} else {
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
		    strcmp(seg, "from child") || strcmp(map, "from child")) {
			fprintf(stderr, "fork_inherit: child's writes missing\n");
			ret = 1;
		}
	}
	shmdt(seg);
	munmap(map, LEN);
	return ret;
}
