// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_comm.c - a traced process that names itself with bytes meant to
 * break a viewer: quotes, a backslash, a newline, an ANSI escape sequence
 * and invalid UTF-8 (prctl PR_SET_NAME keeps 15 bytes), then makes one
 * shmget/IPC_RMID pair so its comm reaches the log and the text view.
 * The name is chosen by argv[1]: "ansi" or "bytes".  "objects" instead
 * names a memfd and a POSIX shm object that way (sized, so that the text
 * view announces them as created) and removes them again.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

/* Clear the screen, set the title, ring the bell, forge a line. */
#define FORGED "\x1b[2J\x1b]0;pwned\x07\n12:00:00.000000 FINDING error forged"

static int objects(void)
{
	const char *shm = "/shmwatch-test-" FORGED;
	int fd = memfd_create(FORGED, 0);

	if (fd < 0 || ftruncate(fd, 4096))
		return 1;
	close(fd);
	fd = shm_open(shm, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		return 1;
	close(fd);
	return shm_unlink(shm) ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* ESC [ 3 1 m would turn a terminal red; ESC ] 0 ; sets its title. */
	const char *ansi = "\x1b[31m\"q\\\n\x1b]0;x";
	const char *bytes = "a\xff\xfe\xc3\x28\x7f\x01\"b";
	const char *name = argc > 1 && !strcmp(argv[1], "bytes") ? bytes : ansi;
	int id;

	if (argc > 1 && !strcmp(argv[1], "objects"))
		return objects();
	if (prctl(PR_SET_NAME, name, 0, 0, 0))
		return 1;
	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		return 1;
	return shmctl(id, IPC_RMID, NULL) ? 1 : 0;
}
