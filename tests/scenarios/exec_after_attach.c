// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * exec_after_attach.c - exec drops attachments and shared mappings.
 *
 * Attaches a SysV segment (already marked IPC_RMID, so the kernel frees it
 * when exec detaches it) and maps a shared anonymous region, then execs
 * /bin/true without releasing either.  The kernel releases both at exec;
 * whatever /bin/true maps afterwards may land on the same addresses and
 * must not be confused with them.  Exits with /bin/true's status, 0.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define LEN (64 * 1024)

int main(void)
{
	char *seg, *map;
	int id;

	id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	if (id < 0) {
		perror("exec_after_attach: shmget");
		return 1;
	}
	seg = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (seg == (void *)-1) {
		perror("exec_after_attach: shmat");
		return 1;
	}
	strcpy(seg, "before exec");
	map = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map != MAP_FAILED)
		strcpy(map, "before exec");

	fflush(stdout);
	execl("/bin/true", "true", (char *)NULL);
	perror("exec_after_attach: exec /bin/true");
	return 1;
}
